# METADATA
# title: Fixes verified
# description: |
#   A fix that was submitted but not yet verified by a rescan is not a fix:
#   each unverified fix of a finding at or above the target's `block_at`
#   fails the gate, and so do more unverified fixes in total than the
#   target's `max_unverified_fixes` (data.pearl_data.gate.environments).
# custom:
#   severity: high
#   hint: Rescan to verify the submitted fixes (or reopen the findings) before promoting.
package pearl.gate.rules.unverified_fixes

import data.pearl.lib.levels
import rego.v1

fail contains {
	"code": "unverified_fix",
	"message": sprintf("the fix of %v finding %v is not verified", [fix.severity, fix.finding_id]),
	"finding_id": fix.finding_id,
	"severity": fix.severity,
} if {
	fix := input.unverified_fixes[_]
	levels.severity_rank(fix.severity) >= data.pearl.gate.threshold
}

fail contains {
	"code": "too_many_unverified_fixes",
	"message": sprintf("%v unverified fixes exceed the limit of %v", [total, limit]),
	"count": total,
} if {
	total := count(input.unverified_fixes)
	limit := data.pearl.gate.profile.max_unverified_fixes
	total > limit
}
