package pearl.remediation.rules.severity_ceiling_test

import data.pearl.remediation.rules.severity_ceiling as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

_approval := {"outcome": "auto_allowed_with_approval", "code": "above_autonomous_ceiling", "trigger": "severity_above_autonomous_ceiling"}

_human := {"outcome": "human_required", "code": "above_approval_ceiling", "trigger": "severity_above_approval_ceiling"}

test_success_within_the_autonomous_ceiling if {
	count(rule.outcome) == 0 with input as t.candidate
	count(rule.outcome) == 0 with input as t.with_changes({"severity": "high"})
	count(rule.outcome) == 0 with input as t.with_changes({"environment": "prod", "severity": "low"})
}

test_fail_above_autonomous_ceiling_needs_approval if {
	t.facts(rule.outcome) == {_approval} with input as t.with_changes({"severity": "critical"})
	t.facts(rule.outcome) == {_approval} with input as t.with_changes({"environment": "prod", "severity": "high"})
}

test_fail_above_approval_ceiling_needs_a_human if {
	t.facts(rule.outcome) == {_human} with input as t.with_changes({"environment": "prod", "severity": "critical"})
}

test_fail_unknown_severity_ranks_highest if {
	t.facts(rule.outcome) == {_human} with input as t.with_changes({"environment": "preprod", "severity": "unknown"})
}

test_success_ceilings_come_from_data if {
	count(rule.outcome) == 0 with input as t.with_changes({"environment": "prod", "severity": "critical"})
		with data.pearl_data.remediation.severity_ceiling.prod as {"auto": "critical", "with_approval": "critical"}
}
