package pearl.remediation.rules.fix_available_test

import data.pearl.remediation.rules.fix_available as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

test_success_known_fix if {
	count(rule.outcome) == 0 with input as t.candidate
}

test_fail_no_fix_needs_a_human if {
	t.facts(rule.outcome) == {{"outcome": "human_required", "code": "no_fix_available", "trigger": "no_fix_available"}} with input as t.with_changes({"fix_available": false})
}
