# METADATA
# title: Guard-rail fast path
# description: |
#   `allowed` holds when the action is plainly allowed: every condition the
#   rules under pearl.guardrails.rules check is met in its simplest form (a
#   known, granted action type with no approval configured, a live lease held
#   by the actor, only the fields the type takes, safe in-scope paths that are
#   neither protected nor security-sensitive (for a type that only reads:
#   safe, unprotected paths anywhere in the repository), listed commands
#   without shell constructs, no hosts, no packages). pearl.guardrails.decision
#   answers `allow` from it without collecting every rule's reasons, which is
#   what keeps the common case fast. It must only ever be *stricter* than the
#   rules: when it does not hold, the full rules decide. tests/guardrails
#   checks on every bypass input that `allowed` implies the full rules say
#   allow.
package pearl.guardrails.lib.fast_path

import data.pearl.lib.commands
import data.pearl.lib.paths
import rego.v1

allowed if {
	spec := data.pearl.guardrails.action_spec
	not spec.approval
	data.pearl.guardrails.rules.action_type_allowed.allowed
	not input.action.type in input.packet.approval_triggers
	not input.action.type in input.profile.approval_required_for
	_packet_live
	every field, value in input.action {
		_field_ok(field, value, spec)
	}
	every field in object.get(spec, "required", []) {
		count(input.action[field]) > 0
	}
	_names_any_required(spec)
	reads_only := object.get(spec, "path_access", null) == "read"
	every path in object.get(input.action, "paths", []) {
		_path_ok(path, reads_only)
	}
	every argv in object.get(input.action, "commands", []) {
		_command_ok(argv, spec)
	}
}

_packet_live if {
	input.packet.status == "claimed"
	holder := input.packet.lease.holder_id
	is_string(holder)
	holder != ""
	holder == input.principal.subject_id
	now := data.pearl.guardrails.now_ns
	is_number(now)
	now < time.parse_rfc3339_ns(input.packet.lease.expires_at)
	_packet_fresh(now)
	attempts := input.packet.denied_attempts
	is_number(attempts)
	attempts < data.pearl_data.guardrails.packet.max_denied_attempts
}

_packet_fresh(_) if input.packet.expires_at == null

_packet_fresh(now) if now < time.parse_rfc3339_ns(input.packet.expires_at)

_field_ok("type", value, _) if is_string(value)

_field_ok("digest", value, _) if is_string(value)

_field_ok(field, value, spec) if {
	field in {"paths", "commands"}
	is_array(value)
	field in object.get(spec, "required", [])
}

_field_ok(field, value, _) if {
	not field in {"type", "digest"}
	value == []
}

_names_any_required(spec) if not spec.required_any

_names_any_required(spec) if {
	some field in spec.required_any
	count(input.action[field]) > 0
}

# A read: any safe, unprotected path (security-sensitive ones need no approval).
_path_ok(path, true) if {
	paths.safe(path)
	not paths.protected(path)
}

_path_ok(path, false) if {
	paths.safe(path)
	paths.in_scope(path, input.packet.allowed_paths)
	not paths.protected(path)
	every pattern in data.pearl_data.guardrails.approval.path_patterns {
		not regex.match(pattern, lower(path))
	}
}

_command_ok(argv, spec) if {
	commands.valid_argv(argv)
	commands.packet_allows(argv, input.packet.allowed_commands)
	commands.allowed(argv, spec.allowed_commands, data.pearl.guardrails.rules.command_allowed._context)
}
