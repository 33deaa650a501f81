# METADATA
# title: Critical components need approval
# description: |
#   A fix that touches a critical component (one the application spec marks
#   critical, passed as input.critical_components, or one whose name matches
#   data.pearl_data.remediation.critical_component_patterns: auth, IAM,
#   crypto, secrets, payments, ...) needs a human's approval.
# custom:
#   severity: high
#   hint: Ask the component's owners to approve the change before the agent applies it.
package pearl.remediation.rules.critical_components

import rego.v1

outcome contains {
	"outcome": "auto_allowed_with_approval",
	"code": "critical_component",
	"message": sprintf("the fix touches critical component %v", [component]),
	"trigger": "critical_component_change",
	"component": component,
} if {
	component := input.components_touched[_]
	_critical(component)
}

_critical(component) if component in input.critical_components

_critical(component) if {
	is_string(component)
	some pattern in data.pearl_data.remediation.critical_component_patterns
	regex.match(pattern, lower(component))
}
