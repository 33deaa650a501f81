package pearl.remediation_test

import data.pearl.remediation.testdata_test as t
import rego.v1

rule_ids(result) := {reason.rule_id | some reason in result.reasons}

test_success_moderate_fix_in_dev_is_auto_allowed if {
	data.pearl.remediation.decision == {
		"decision": "auto_allowed",
		"reasons": [],
		"approval_required": false,
		"approval_triggers": [],
	} with input as t.candidate
}

test_fail_critical_component_in_preprod_needs_approval if {
	result := data.pearl.remediation.decision with input as t.with_changes({"environment": "preprod", "components_touched": ["payments"]})
	result.decision == "auto_allowed_with_approval"
	result.approval_required == true
	result.approval_triggers == ["critical_component_change"]
	rule_ids(result) == {"remediation.rules.critical_components"}
}

test_fail_most_restrictive_outcome_wins if {
	result := data.pearl.remediation.decision with input as t.with_changes({
		"environment": "prod", "severity": "high", "tool_type": "secrets",
		"autonomy_mode": "assistive", "exploitability": "high",
	})
	result.decision == "not_autonomous"
	result.approval_required == false
	rule_ids(result) == {
		"remediation.rules.autonomy_mode", "remediation.rules.secrets",
		"remediation.rules.severity_ceiling", "remediation.rules.exploitability",
	}
	result.approval_triggers == ["exploitable_finding", "secret_rotation", "severity_above_autonomous_ceiling"]
}

test_fail_secret_in_sandbox_still_needs_a_human if {
	result := data.pearl.remediation.decision with input as t.with_changes({"environment": "sandbox", "tool_type": "secrets"})
	result.decision == "human_required"
	rule_ids(result) == {"remediation.rules.secrets"}
}

test_fail_empty_input_needs_a_human if {
	result := data.pearl.remediation.decision with input as {}
	result.decision == "human_required"
	rule_ids(result) == {"remediation.rules.candidate_complete"}
}

test_success_outcome_order_comes_from_data if {
	result := data.pearl.remediation.decision with input as t.with_changes({"autonomy_mode": "assistive", "fix_available": false})
		with data.pearl_data.remediation.outcome_order as ["auto_allowed", "auto_allowed_with_approval", "not_autonomous", "human_required"]
	result.decision == "human_required"
}

test_fail_unknown_outcome_counts_as_most_restrictive if {
	result := data.pearl.remediation.decision with input as t.with_changes({"autonomy_mode": "assistive"})
		with data.pearl_data.remediation.outcome_order as ["auto_allowed", "human_required"]
	result.decision == "human_required"
}
