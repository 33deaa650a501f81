# METADATA
# title: Remediation eligibility decision
# description: |
#   May an agent fix these findings, and under what conditions? Every rule
#   under pearl.remediation.rules proposes an outcome with its reason; the
#   most restrictive proposal wins, in the order of
#   data.pearl_data.remediation.outcome_order (auto_allowed <
#   auto_allowed_with_approval < human_required < not_autonomous); with no
#   proposal the outcome is the first in that order. An outcome a rule names
#   but the order does not know counts as the most restrictive. Result:
#     {"decision": "auto_allowed|auto_allowed_with_approval|human_required|not_autonomous",
#      "reasons": [{"rule_id", "message", "code", "outcome", "trigger", ...}],
#      "approval_required": true|false,
#      "approval_triggers": ["critical_component_change", ...]}
#   `approval_required` is true when the decision is auto_allowed_with_approval;
#   `approval_triggers` are the triggers of every reason (sorted, distinct).
#   Input (one remediation spec candidate, facts computed by PeaRL):
#     {"environment": "preprod",
#      "autonomy_mode": "supervised_autonomous",
#      "severity": "high",
#      "category": "security",
#      "tool_type": "sca",
#      "exploitability": "medium",
#      "fix_available": true,
#      "components_touched": ["api", "auth-service"],
#      "critical_components": ["payments"],
#      "finding_ids": ["fnd_1"]}
#   `autonomy_mode` is the effective mode (environment profile narrowed by
#   the compiled context); `critical_components` are the application spec's
#   components marked high or critical.
package pearl.remediation

import data.pearl.lib.reasons
import rego.v1

_order := data.pearl_data.remediation.outcome_order

proposals := [reasons.tagged("remediation", name, proposal) | proposal := data.pearl.remediation.rules[name].outcome[_]]

# Position of an outcome in the order; an unknown outcome is the most restrictive.
_rank(outcome) := index if {
	some index, known in _order
	known == outcome
} else := count(_order) - 1

outcome := _order[max(array.concat([0], [_rank(proposal.outcome) | some proposal in proposals]))]

default decision := {
	"decision": "human_required",
	"reasons": [{
		"rule_id": "remediation.rules.candidate_complete",
		"message": "no eligibility decision could be made",
		"code": "undecided",
	}],
	"approval_required": false,
	"approval_triggers": [],
}

decision := {
	"decision": outcome,
	"reasons": proposals,
	"approval_required": outcome == "auto_allowed_with_approval",
	"approval_triggers": sort({proposal.trigger | some proposal in proposals}),
}
