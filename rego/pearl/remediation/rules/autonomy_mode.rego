# METADATA
# title: Autonomy mode permits agents
# description: |
#   In the autonomy modes listed in data.pearl_data.remediation.non_autonomous_modes
#   (read_only, assistive) no agent fixes anything on its own: the outcome is
#   not_autonomous, whatever the finding.
# custom:
#   severity: moderate
#   hint: An agent may only propose this fix; a human applies it, or the environment's autonomy mode must change.
package pearl.remediation.rules.autonomy_mode

import rego.v1

outcome contains {
	"outcome": "not_autonomous",
	"code": "autonomy_mode",
	"message": sprintf("autonomy mode %v does not let agents act alone", [input.autonomy_mode]),
	"autonomy_mode": input.autonomy_mode,
} if {
	input.autonomy_mode in data.pearl_data.remediation.non_autonomous_modes
}
