# METADATA
# title: Known target environment
# description: |
#   A promotion can only be judged against a target environment that has a
#   gate profile in data.pearl_data.gate.environments (threshold, unverified
#   fix limit, required evidence), and at a valid `now`.
# custom:
#   severity: high
#   hint: Promote to one of the environments the gate knows, or add a gate profile for it.
package pearl.gate.rules.target_environment

import rego.v1

fail contains {
	"code": "unknown_environment",
	"message": sprintf("no gate profile for target environment %v", [object.get(input, "target_environment", null)]),
	"target_environment": object.get(input, "target_environment", null),
} if {
	not data.pearl_data.gate.environments[input.target_environment]
}

fail contains {"code": "no_time", "message": "the gate input has no `now`"} if {
	not is_string(input.now)
}
