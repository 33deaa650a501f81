# METADATA
# title: A fix is available
# description: |
#   Without a known fix (an upgrade, a patch, a documented change) an agent
#   would have to invent one: a human designs it.
# custom:
#   severity: moderate
#   hint: Find or design a fix first (upgrade path, patch, mitigation); then an agent may apply it.
package pearl.remediation.rules.fix_available

import rego.v1

outcome contains {
	"outcome": "human_required",
	"code": "no_fix_available",
	"message": "no fix is available for this finding",
	"trigger": "no_fix_available",
} if {
	input.fix_available == false
}
