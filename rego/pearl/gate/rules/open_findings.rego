# METADATA
# title: No open findings at or above the threshold
# description: |
#   A promotion fails while open findings at or above the target environment's
#   `block_at` severity (data.pearl_data.gate.environments) remain, unless an
#   active, unexpired exception covers each of them. PeaRL lists the
#   blocking candidates (every open high or critical finding: id and
#   severity) and counts all open findings by severity; if the counts at or
#   above the threshold exceed the findings listed, the gate fails for the
#   ones it cannot see.
# custom:
#   severity: critical
#   hint: Fix and verify the blocking findings, or get a time-bound exception approved for each.
package pearl.gate.rules.open_findings

import data.pearl.lib.levels
import rego.v1

_blocking contains finding if {
	finding := input.blocking_findings[_]
	levels.severity_rank(finding.severity) >= data.pearl.gate.threshold
}

fail contains {
	"code": "open_finding",
	"message": sprintf("open %v finding %v blocks promotion", [finding.severity, finding.finding_id]),
	"finding_id": finding.finding_id,
	"severity": finding.severity,
} if {
	some finding in _blocking
	not finding.finding_id in data.pearl.gate.waived
}

fail contains {
	"code": "unlisted_open_findings",
	"message": sprintf("%v open findings at or above %v were counted but not listed", [missing, data.pearl.gate.profile.block_at]),
	"count": missing,
} if {
	counted := sum([number |
		number := input.open_counts[severity]
		levels.severity_rank(severity) >= data.pearl.gate.threshold
	])
	missing := counted - count(_blocking)
	missing > 0
}
