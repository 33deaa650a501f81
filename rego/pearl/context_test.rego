package pearl.context_test

import data.pearl.context.testdata_test as t
import rego.v1

rule_ids(result) := {reason.rule_id | some reason in result.reasons}

test_success_faithful_package_is_valid if {
	data.pearl.context.decision == {"decision": "valid", "reasons": []} with input as t.compiled
}

test_fail_widened_package_is_invalid if {
	result := data.pearl.context.decision with input as t.with_package({"autonomy_policy": {
		"mode": "delegated_autonomous",
		"allowed_actions": ["code_edit", "secret_access"],
		"blocked_actions": [],
	}})
	result.decision == "invalid"
	rule_ids(result) == {"context.rules.permissions_narrowed", "context.rules.prohibitions_kept"}
}

test_fail_empty_input_is_invalid if {
	result := data.pearl.context.decision with input as {}
	result.decision == "invalid"
	rule_ids(result) == {"context.rules.permissions_narrowed"}
}
