# METADATA
# title: Complete remediation candidate
# description: |
#   A candidate is judged only when PeaRL knows enough about it: a known
#   environment (one with a severity ceiling in data.pearl_data.remediation),
#   a known severity and autonomy mode (data.pearl_data.levels), a known
#   exploitability and category, a boolean fix_available and a list of
#   components touched. Anything missing or unknown needs a human.
# custom:
#   severity: moderate
#   hint: Triage the finding (severity, exploitability, category, affected components) before asking whether an agent may fix it.
package pearl.remediation.rules.candidate_complete

import rego.v1

outcome contains {
	"outcome": "human_required",
	"code": "incomplete_candidate",
	"message": sprintf("the candidate's %v is missing or unknown", [field]),
	"field": field,
	"trigger": "triage_required",
} if {
	some field in _unknown
}

_unknown contains "environment" if not data.pearl_data.remediation.severity_ceiling[input.environment]

_unknown contains "severity" if not data.pearl_data.levels.severity[input.severity]

_unknown contains "autonomy_mode" if not is_number(data.pearl_data.levels.autonomy[input.autonomy_mode])

_unknown contains "exploitability" if not input.exploitability in data.pearl_data.remediation.known.exploitability

_unknown contains "category" if not input.category in data.pearl_data.remediation.known.categories

_unknown contains "fix_available" if not is_boolean(input.fix_available)

_unknown contains "components_touched" if not is_array(input.components_touched)
