# METADATA
# title: Action type allowed
# description: |
#   Deny by default. An action may run only when it is a well-formed action
#   of a type the guard rails know (data.pearl_data.guardrails.by_action),
#   the task packet's allowed_actions list it (by type or by the capability
#   it needs) and its blocked_actions do not, and the environment profile
#   (input.profile, for input.environment) grants the capability the type
#   needs (by_action[type].capability) and does not block it. Well-formed:
#   every field other than type and digest is a list, the action carries
#   non-empty only the fields its by_action entry lists as `required` or
#   `optional`, carries every `required` one, and at least one of the fields
#   listed in `required_any` (each also listed in `optional`; e.g. a
#   dependency change names paths, commands or packages). `allowed` is true
#   only when all of that holds; the guard-rail entrypoint allows nothing else.
# custom:
#   severity: high
#   hint: Use an action type the task packet and the environment profile both allow, with the fields that type takes, or ask for a packet that allows it.
package pearl.guardrails.rules.action_type_allowed

import rego.v1

_granted_by_packet if {
	some name in [input.action.type, data.pearl.guardrails.action_spec.capability]
	name in input.packet.allowed_actions
}

_blocked contains name if {
	some name in [input.action.type, data.pearl.guardrails.action_spec.capability]
	some blocked in [input.packet.blocked_actions, input.profile.blocked_capabilities]
	name in blocked
}

allowed if {
	data.pearl.guardrails.action_spec.capability in input.profile.allowed_capabilities
	is_string(input.environment)
	_granted_by_packet
	count(_blocked) == 0
}

deny contains {"code": "missing_action_type", "message": "the action names no type"} if {
	not is_string(input.action.type)
}

deny contains {
	"code": "unknown_action_type",
	"message": sprintf("action type %v is not one the guard rails know", [input.action.type]),
	"action_type": input.action.type,
} if {
	not data.pearl.guardrails.action_spec
	is_string(input.action.type)
}

deny contains {
	"code": "not_allowed_by_packet",
	"message": sprintf("the task packet does not allow %v actions", [input.action.type]),
	"action_type": input.action.type,
} if {
	not _granted_by_packet
	data.pearl.guardrails.action_spec
}

deny contains {"code": "no_environment", "message": "the action names no environment"} if {
	not is_string(input.environment)
}

deny contains {"code": "no_environment_profile", "message": "the action comes with no environment profile"} if {
	not is_object(input.profile)
}

deny contains {
	"code": "not_allowed_by_environment",
	"message": sprintf("the environment profile does not grant capability %v", [capability]),
	"capability": capability,
} if {
	capability := data.pearl.guardrails.action_spec.capability
	not capability in input.profile.allowed_capabilities
	is_object(input.profile)
}

deny contains {
	"code": "blocked",
	"message": sprintf("%v is blocked by the task packet or the environment profile", [name]),
	"blocked": name,
} if {
	some name in _blocked
}

deny contains {
	"code": "field_not_a_list",
	"message": sprintf("the action's %v must be a list", [field]),
	"field": field,
} if {
	value := input.action[field]
	not is_array(value)
	not field in {"type", "digest"}
}

deny contains {
	"code": "field_not_permitted",
	"message": sprintf("%v actions take no %v", [input.action.type, field]),
	"field": field,
} if {
	input.action[field][_]
	not field in data.pearl.guardrails.action_spec.required
	not field in data.pearl.guardrails.action_spec.optional
}

deny contains {
	"code": "field_required",
	"message": sprintf("%v actions must name their %v", [input.action.type, field]),
	"field": field,
} if {
	field := data.pearl.guardrails.action_spec.required[_]
	is_object(input.action)
	object.get(input.action, field, []) == []
}

deny contains {
	"code": "field_required_any",
	"message": sprintf("%v actions must name at least one of %v", [input.action.type, concat(", ", fields)]),
	"fields": fields,
} if {
	fields := data.pearl.guardrails.action_spec.required_any
	is_object(input.action)
	every field in fields {
		object.get(input.action, field, []) == []
	}
}
