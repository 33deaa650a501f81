package pearl.gate.rules.unverified_fixes_test

import data.pearl.gate.rules.unverified_fixes as rule
import data.pearl.gate.testdata_test as t
import rego.v1

test_success_no_unverified_fixes if {
	count(rule.fail) == 0 with input as t.promotion
}

test_success_dev_tolerates_some_low_ones if {
	count(rule.fail) == 0 with input as t.with_changes({"target_environment": "dev", "unverified_fixes": [{"finding_id": "fnd_a", "severity": "low"}]})
}

test_fail_unverified_fix_of_a_blocking_finding if {
	t.facts(rule.fail) == {
		{"code": "unverified_fix", "finding_id": "fnd_a", "severity": "critical"},
		{"code": "too_many_unverified_fixes", "count": 1},
	} with input as t.with_changes({"unverified_fixes": [{"finding_id": "fnd_a", "severity": "critical"}]})
}

test_fail_more_unverified_fixes_than_allowed if {
	fixes := [{"finding_id": sprintf("fnd_%d", [i]), "severity": "low"} | some i in numbers.range(1, 11)]
	t.facts(rule.fail) == {{"code": "too_many_unverified_fixes", "count": 11}} with input as t.with_changes({"target_environment": "pilot", "unverified_fixes": fixes})
}
