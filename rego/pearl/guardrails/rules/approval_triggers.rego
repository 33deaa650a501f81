# METADATA
# title: Approval triggers
# description: |
#   Some allowed actions still need a human's approval: action types whose
#   by_action[type].approval lists the environment (or `*`), e.g. git_push and
#   deploy everywhere, dependency_change in preprod and prod, config changes
#   and file deletions from pilot up; action types the task packet lists in
#   approval_triggers or the environment profile in approval_required_for;
#   and changes to paths that look security-sensitive (auth, login, IAM,
#   crypto, ...: the regular expressions in
#   data.pearl_data.guardrails.approval.path_patterns, matched against the
#   lower-cased path). Reading such a path changes nothing and needs no
#   approval (types whose by_action[type].path_access is `read`). An approval
#   honours exactly one action: it applies when input.approvals holds one
#   that is approved, bound to this action's digest, not consumed and not
#   expired.
# custom:
#   severity: moderate
#   hint: Request an approval for this exact action and retry once a reviewer has approved it.
package pearl.guardrails.rules.approval_triggers

import data.pearl.lib.timestamps
import rego.v1

needs_approval contains {
	"code": "action_type",
	"message": sprintf("%v actions need approval in %v", [input.action.type, object.get(input, "environment", null)]),
	"trigger": approval.trigger,
} if {
	approval := data.pearl.guardrails.action_spec.approval
	some environment in approval.environments
	environment in {"*", object.get(input, "environment", null)}
	not _approved
}

needs_approval contains {
	"code": "packet_trigger",
	"message": sprintf("the task packet requires approval for %v actions", [input.action.type]),
	"trigger": input.action.type,
} if {
	input.action.type in input.packet.approval_triggers
	not _approved
}

needs_approval contains {
	"code": "profile_trigger",
	"message": sprintf("the environment profile requires approval for %v actions", [input.action.type]),
	"trigger": input.action.type,
} if {
	input.action.type in input.profile.approval_required_for
	not _approved
}

needs_approval contains {
	"code": "sensitive_path",
	"message": sprintf("path %v looks security-sensitive", [path]),
	"trigger": "sensitive_path_change",
	"path": path,
} if {
	path := input.action.paths[_]
	is_string(path)
	not _reads_only
	some pattern in data.pearl_data.guardrails.approval.path_patterns
	regex.match(pattern, lower(path))
	not _approved
}

# The action type only reads its paths, so touching them changes nothing.
_reads_only if data.pearl.guardrails.action_spec.path_access == "read"

# An approval for exactly this action (by digest), still usable.
_approved if {
	approval := input.approvals[_]
	approval.status == "approved"
	approval.action_digest == input.action.digest
	is_string(input.action.digest)
	input.action.digest != ""
	object.get(approval, "consumed_at", null) == null
	not timestamps.lapsed(object.get(approval, "expires_at", null), data.pearl.guardrails.now_ns)
}
