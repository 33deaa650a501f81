package pearl.remediation.rules.autonomy_mode_test

import data.pearl.remediation.rules.autonomy_mode as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

test_success_supervised_and_delegated_modes_allow_agents if {
	count(rule.outcome) == 0 with input as t.candidate
	count(rule.outcome) == 0 with input as t.with_changes({"autonomy_mode": "delegated_autonomous"})
}

test_fail_assistive_mode_is_not_autonomous if {
	t.facts(rule.outcome) == {{"outcome": "not_autonomous", "code": "autonomy_mode", "autonomy_mode": "assistive"}} with input as t.with_changes({"autonomy_mode": "assistive"})
}

test_fail_read_only_mode_is_not_autonomous if {
	t.facts(rule.outcome) == {{"outcome": "not_autonomous", "code": "autonomy_mode", "autonomy_mode": "read_only"}} with input as t.with_changes({"autonomy_mode": "read_only"})
}
