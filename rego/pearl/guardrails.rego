# METADATA
# title: Guard-rail decision
# description: |
#   May this agent take this one action now? `decision` is `allow`, `deny` or
#   `needs_approval`. Every rule under pearl.guardrails.rules is consulted;
#   any `deny` wins, then any `needs_approval`; otherwise the action is
#   allowed only when guardrails.rules.action_type_allowed says the action
#   type is allowed (deny by default). Result:
#     {"decision": "allow|deny|needs_approval",
#      "reasons": [{"rule_id", "message", "code", ...}],
#      "approval_triggers": ["git_push", ...]}
#   Input (PeaRL builds it; paths, hosts and argv are parsed in Python first):
#     {"now": "2025-06-01T12:00:00Z",
#      "environment": "dev",
#      "principal": {"subject_id": "sa_agent", "kind": "service_account"},
#      "profile": {"allowed_capabilities": [...], "blocked_capabilities": [...],
#                  "approval_required_for": [...], "outbound_allowlist": [...]},
#      "packet": {"task_packet_id": "tp_1", "status": "claimed",
#                 "lease": {"holder_id": "sa_agent", "expires_at": "..."},
#                 "expires_at": "..." or null, "denied_attempts": 0,
#                 "allowed_actions": [...], "blocked_actions": [...],
#                 "allowed_paths": ["src/**"], "allowed_commands": ["pytest", "git status"],
#                 "allowed_packages": ["requests"], "approval_triggers": [...]},
#      "action": {"type": "file_write", "digest": "sha256:...",
#                 "paths": ["src/app.py"],
#                 "commands": [["pytest", "-q"], ["git", "status"]],
#                 "shell_features": [{"kind": "sequence"}, {"kind": "redirect", "target": "out.txt"}],
#                 "hosts": ["pypi.org"],
#                 "packages": [{"name": "requests", "version": "2.32.3"}]},
#      "approvals": [{"approval_request_id": "appr_1", "status": "approved",
#                     "action_digest": "sha256:...", "consumed_at": null, "expires_at": "..."}]}
#   `profile` is the effective environment profile (from the compiled context
#   package: the stored, versioned profile narrowed by the app spec), not the
#   seed defaults in policies/environments. `type` is one of the action
#   types in data.pearl_data.guardrails.by_action, each needing one
#   capability (by_action[type].capability): file_read (code_read; `paths`,
#   any safe unprotected path in the repository), file_write (code_edit;
#   `paths` inside the packet's allowed_paths), file_delete (as file_write,
#   approval from pilot up), command_run (`commands`), network_egress
#   (network_egress; `hosts`, optionally `curl` commands to them),
#   dependency_change (`packages`, `commands` and/or `paths`; approval in
#   preprod and prod), git_commit (code_edit; `git commit` argv in
#   `commands`), git_push (approval everywhere), deploy (approval
#   everywhere), config_change (config_edit_nonprod; `paths`, approval from
#   pilot up); the PeaRL v1.1 capability names code_edit, test_create,
#   config_edit_nonprod, test_run and network_request stay valid types.
#   `paths` lists every path the action touches (a symlink and its resolved
#   target both); `commands` holds one argv per simple command after
#   splitting `;`, `&&`, `||`, pipes and substitution bodies;
#   `shell_features` the constructs found while splitting (kinds: pipe,
#   sequence, and_or, redirect, fd_dup, command_substitution,
#   process_substitution, background, subshell, heredoc, env_assignment);
#   `hosts` the parsed, lower-cased, IDNA-encoded hosts; `packages` the
#   packages a dependency change touches, each `{"name": <PEP 503 normalised
#   name: lower-cased, runs of `-`, `_`, `.` as one `-`>, "version": <the
#   version or specifier as given, or null>}` (a version sent without a
#   package comes with a null name); `digest` PeaRL's hash of the canonical
#   action, which an approval must name. A field the action type does not
#   list in by_action[type].required or .optional must be absent or empty;
#   every `required` field, and at least one of the `required_any` fields,
#   must be non-empty.
#   The rules share `action_spec` (and `now_ns`) below, computed once per
#   decision, and refer to them by full path (data.pearl.guardrails.action_spec):
#   regorus treats `import data.pearl.guardrails` as a dependency on the whole
#   package, decision included, and reports a cycle. Guard-rail rule packages
#   define no functions (those live in pearl.lib): walking a package
#   evaluates everything in it, so every definition there costs on every
#   decision.
package pearl.guardrails

import data.pearl.lib.reasons
import rego.v1

# The guard-rail data for this action's type (undefined for unknown types).
action_spec := data.pearl_data.guardrails.by_action[input.action.type]

# `now` in nanoseconds; null when missing (every expiry then counts as passed).
default now_ns := null

now_ns := time.parse_rfc3339_ns(input.now) if is_string(input.now)

denials := [reasons.tagged("guardrails", name, reason) | reason := data.pearl.guardrails.rules[name].deny[_]]

approvals := [reasons.tagged("guardrails", name, reason) | reason := data.pearl.guardrails.rules[name].needs_approval[_]]

approval_triggers := sort({reason.trigger | some reason in approvals})

default decision := {
	"decision": "deny",
	"reasons": [{
		"rule_id": "guardrails.rules.action_type_allowed",
		"message": "no guard-rail rule allowed this action",
		"code": "not_allowed",
	}],
	"approval_triggers": [],
}

# The fast path (pearl.guardrails.lib.fast_path) answers the plainly allowed
# action first; only when it does not hold are all the rules' reasons
# collected. `full_decision` is the answer without the fast path, which the
# tests compare it with.
decision := _allow if {
	data.pearl.guardrails.lib.fast_path.allowed
} else := full_decision

default full_decision := {
	"decision": "deny",
	"reasons": [{
		"rule_id": "guardrails.rules.action_type_allowed",
		"message": "no guard-rail rule allowed this action",
		"code": "not_allowed",
	}],
	"approval_triggers": [],
}

full_decision := {"decision": "deny", "reasons": denials, "approval_triggers": approval_triggers} if {
	count(denials) > 0
} else := {"decision": "needs_approval", "reasons": approvals, "approval_triggers": approval_triggers} if {
	count(approvals) > 0
} else := _allow if {
	data.pearl.guardrails.rules.action_type_allowed.allowed
}

_allow := {"decision": "allow", "reasons": [], "approval_triggers": []}
