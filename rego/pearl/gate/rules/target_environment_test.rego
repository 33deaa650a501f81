package pearl.gate.rules.target_environment_test

import data.pearl.gate.rules.target_environment as rule
import data.pearl.gate.testdata_test as t
import rego.v1

test_success_known_environment if {
	count(rule.fail) == 0 with input as t.promotion
}

test_fail_unknown_environment if {
	t.facts(rule.fail) == {{"code": "unknown_environment", "target_environment": "staging"}} with input as t.with_changes({"target_environment": "staging"})
}

test_fail_empty_input if {
	t.facts(rule.fail) == {{"code": "unknown_environment", "target_environment": null}, {"code": "no_time"}} with input as {}
}
