# METADATA
# title: Command allow-list
# description: |
#   Every simple command an action runs must be allowed, argument by argument.
#   PeaRL splits the shell line before asking (`a; b`, `a && b`, pipes and
#   `$(...)` bodies each become their own argv in input.action.commands), so
#   `git status; rm -rf /` is two commands and `rm` is judged on its own. Each
#   argv must match an entry of data.pearl_data.guardrails.by_action[type].allowed_commands
#   (see pearl.lib.commands: keyed by exact program and sub-command, then the
#   rest of the arguments by mode, e.g. `pip install` only with packages the packet
#   lists in allowed_packages, `git` only status/diff/log/show/add/commit
#   without escape hatches such as `--no-verify` or `--output`), and must
#   start with one of the task packet's allowed_commands (argv prefixes
#   written with single spaces; none listed means no command may run). The shell
#   constructs PeaRL found while splitting come in input.action.shell_features
#   as `{"kind": ..., "target": ...}`: only the kinds in
#   data.pearl_data.guardrails.shell.allowed_kinds may appear (pipes, `;`,
#   `&&`/`||`, redirections, `2>&1`), so command or process substitution,
#   backgrounding, subshells, here-docs, environment assignments and anything
#   unknown are denied; a redirection's target must be an allowed special
#   target (`/dev/null`) or a safe, in-scope, unprotected path.
# custom:
#   severity: high
#   hint: Run only commands on the allow-list for this action type, one plain command at a time, as listed in the task packet; no substitutions, and redirect only to /dev/null or files inside the packet's allowed paths.
package pearl.guardrails.rules.command_allowed

import data.pearl.lib.commands
import data.pearl.lib.paths
import rego.v1

deny contains {
	"code": "malformed_argv",
	"message": sprintf("command %v is not a non-empty list of strings", [index]),
	"index": index,
} if {
	argv := input.action.commands[index]
	not argv in _argvs
}

deny contains {
	"code": "command_not_allowed",
	"message": sprintf("command %v is not on the %v allow-list", [commands.display(argv), input.action.type]),
	"argv": argv,
} if {
	some argv in _argvs
	not commands.allowed(argv, data.pearl.guardrails.action_spec.allowed_commands, _context)
}

deny contains {
	"code": "command_not_in_packet",
	"message": sprintf("command %v is not among the task packet's allowed commands", [commands.display(argv)]),
	"argv": argv,
} if {
	some argv in _argvs
	not commands.packet_allows(argv, input.packet.allowed_commands)
}

deny contains {
	"code": "shell_feature_not_allowed",
	"message": sprintf("shell feature %v is not allowed", [kind]),
	"kind": kind,
} if {
	feature := input.action.shell_features[_]
	kind := commands.feature_kind(feature)
	not kind in data.pearl_data.guardrails.shell.allowed_kinds
}

deny contains {
	"code": "redirect_to_protected_path",
	"message": sprintf("redirection to protected path %v", [target]),
	"target": target,
	"matched": sort(paths.protected_matches(target)),
} if {
	some target in _redirect_targets
	paths.protected(target)
}

deny contains {
	"code": "redirect_outside_allowed_paths",
	"message": sprintf("redirection target %v is outside the task packet's allowed paths", [target]),
	"target": target,
} if {
	some target in _redirect_targets
	not paths.writable(target, input.packet.allowed_paths)
}

# The well-formed argvs; malformed ones are reported and judged no further.
_argvs contains argv if {
	argv := input.action.commands[_]
	commands.valid_argv(argv)
}

# What argument modes may consult: the packet's packages and paths, the action's hosts.
_context := {
	"packages": object.get(input.packet, "allowed_packages", []),
	"allowed_paths": object.get(input.packet, "allowed_paths", []),
	"hosts": object.get(input.action, "hosts", []),
} if {
	input.action.commands[_]
	is_object(input.packet)
}

# Redirection targets other than the allowed special ones (/dev/null).
_redirect_targets contains target if {
	feature := input.action.shell_features[_]
	shell := data.pearl_data.guardrails.shell
	commands.feature_kind(feature) in shell.redirect_kinds
	target := object.get(feature, "target", null)
	not target in shell.redirect_targets_allowed
}
