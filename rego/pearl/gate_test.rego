package pearl.gate_test

import data.pearl.gate.testdata_test as t
import rego.v1

rule_ids(result) := {reason.rule_id | some reason in result.reasons}

test_success_clean_promotion_passes if {
	data.pearl.gate.decision == {"decision": "pass", "reasons": [], "target_environment": "prod"} with input as t.promotion
}

test_fail_every_failure_is_reported if {
	result := data.pearl.gate.decision with input as t.with_changes({
		"exceptions": [],
		"unverified_fixes": [{"finding_id": "fnd_b", "severity": "high"}],
		"evidence": [],
	})
	result.decision == "fail"
	rule_ids(result) == {
		"gate.rules.open_findings", "gate.rules.unverified_fixes",
		"gate.rules.exceptions_valid", "gate.rules.required_evidence",
	}
}

test_fail_unknown_environment_never_passes if {
	result := data.pearl.gate.decision with input as t.with_changes({"target_environment": "mars"})
	result.decision == "fail"
	rule_ids(result) == {"gate.rules.target_environment"}
}

test_fail_empty_input if {
	result := data.pearl.gate.decision with input as {}
	result.decision == "fail"
	result.target_environment == null
	rule_ids(result) == {"gate.rules.target_environment"}
}
