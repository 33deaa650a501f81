# METADATA
# title: Severity ceiling per environment
# description: |
#   Each environment sets how severe a finding an agent may fix on its own
#   (`auto`) and with a human's approval (`with_approval`), in
#   data.pearl_data.remediation.severity_ceiling. Above `auto` the fix needs
#   approval; above `with_approval` it needs a human.
# custom:
#   severity: high
#   hint: Fixes this severe need a reviewer's approval or a human in this environment; ask for one.
package pearl.remediation.rules.severity_ceiling

import data.pearl.lib.levels
import rego.v1

outcome contains {
	"outcome": "auto_allowed_with_approval",
	"code": "above_autonomous_ceiling",
	"message": sprintf("%v findings exceed the autonomous ceiling (%v) in %v", [input.severity, ceiling.auto, input.environment]),
	"trigger": "severity_above_autonomous_ceiling",
} if {
	ceiling := data.pearl_data.remediation.severity_ceiling[input.environment]
	rank := levels.severity_rank(input.severity)
	rank > levels.severity_rank(ceiling.auto)
	rank <= levels.severity_rank(ceiling.with_approval)
}

outcome contains {
	"outcome": "human_required",
	"code": "above_approval_ceiling",
	"message": sprintf("%v findings exceed the approval ceiling (%v) in %v", [input.severity, ceiling.with_approval, input.environment]),
	"trigger": "severity_above_approval_ceiling",
} if {
	ceiling := data.pearl_data.remediation.severity_ceiling[input.environment]
	levels.severity_rank(input.severity) > levels.severity_rank(ceiling.with_approval)
}
