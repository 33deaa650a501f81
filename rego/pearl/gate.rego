# METADATA
# title: Promotion gate decision
# description: |
#   May this project be promoted to the target environment? `decision` is
#   `pass` when no rule under pearl.gate.rules fails, else `fail` with every
#   failure as a reason. Result:
#     {"decision": "pass|fail",
#      "reasons": [{"rule_id", "message", "code", ...}],
#      "target_environment": "prod"}
#   Input (lean facts PeaRL computes from the store; never the full findings):
#     {"target_environment": "prod",
#      "now": "2025-06-01T12:00:00Z",
#      "open_counts": {"critical": 0, "high": 2, "moderate": 7, "low": 31},
#      "blocking_findings": [{"finding_id": "fnd_1", "severity": "high"}, ...],
#      "unverified_fixes": [{"finding_id": "fnd_9", "severity": "moderate"}],
#      "exceptions": [{"exception_id": "exc_1", "status": "active",
#                      "expires_at": "2025-09-01T00:00:00Z", "finding_ids": ["fnd_1"]}],
#      "accepted_risks": [{"finding_id": "fnd_5", "severity": "high", "exception_id": "exc_1"}],
#      "evidence": ["sast_scan", "sca_scan"]}
#   `open_counts` counts every open finding by severity; `blocking_findings`
#   lists every open high or critical finding; `unverified_fixes` the findings
#   in fix_submitted; `exceptions` those that cover any listed finding or
#   accepted risk; `accepted_risks` the findings closed as accepted risk.
#   The rules share `profile`, `threshold`, `now_ns` and `waived` below.
package pearl.gate

import data.pearl.lib.exceptions
import data.pearl.lib.levels
import data.pearl.lib.reasons
import rego.v1

# The gate profile of the target environment (undefined for an unknown one).
profile := data.pearl_data.gate.environments[input.target_environment]

# The rank of the target's block_at severity.
threshold := levels.severity_rank(profile.block_at)

default now_ns := null

now_ns := time.parse_rfc3339_ns(input.now) if is_string(input.now)

# Finding ids covered by active, unexpired exceptions.
default waived := set()

waived := exceptions.waived(input.exceptions, now_ns) if is_array(input.exceptions)

failures := [reasons.tagged("gate", name, failure) | failure := data.pearl.gate.rules[name].fail[_]]

default decision := {
	"decision": "fail",
	"reasons": [{
		"rule_id": "gate.rules.target_environment",
		"message": "no gate decision could be made",
		"code": "undecided",
	}],
	"target_environment": null,
}

decision := {
	"decision": "pass",
	"reasons": [],
	"target_environment": input.target_environment,
} if {
	count(failures) == 0
	profile
}

decision := {
	"decision": "fail",
	"reasons": failures,
	"target_environment": object.get(input, "target_environment", null),
} if {
	count(failures) > 0
}
