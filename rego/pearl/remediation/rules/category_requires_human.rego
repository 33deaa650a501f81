# METADATA
# title: Categories that need human judgement
# description: |
#   Responsible-AI, governance and architecture-drift findings (the categories
#   in data.pearl_data.remediation.human_categories) are judgement calls, not
#   code patches: a human decides the fix.
# custom:
#   severity: moderate
#   hint: Have the owning team decide the remediation; an agent may implement it once specified.
package pearl.remediation.rules.category_requires_human

import rego.v1

outcome contains {
	"outcome": "human_required",
	"code": "judgement_category",
	"message": sprintf("%v findings need human judgement", [input.category]),
	"trigger": "human_judgement",
} if {
	input.category in data.pearl_data.remediation.human_categories
}
