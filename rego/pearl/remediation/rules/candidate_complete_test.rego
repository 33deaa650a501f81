package pearl.remediation.rules.candidate_complete_test

import data.pearl.remediation.rules.candidate_complete as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

test_success_triaged_candidate_is_complete if {
	count(rule.outcome) == 0 with input as t.candidate
}

test_success_read_only_mode_is_known if {
	count(rule.outcome) == 0 with input as t.with_changes({"autonomy_mode": "read_only"})
}

test_fail_unknown_values_need_triage if {
	t.facts(rule.outcome) == {
		{"outcome": "human_required", "code": "incomplete_candidate", "field": "severity", "trigger": "triage_required"},
		{"outcome": "human_required", "code": "incomplete_candidate", "field": "exploitability", "trigger": "triage_required"},
		{"outcome": "human_required", "code": "incomplete_candidate", "field": "environment", "trigger": "triage_required"},
	} with input as t.with_changes({"severity": "urgent", "exploitability": "very", "environment": "staging"})
}

test_fail_empty_candidate_lists_every_field if {
	{proposal.field | some proposal in rule.outcome} == {
		"environment", "severity", "autonomy_mode", "exploitability",
		"category", "fix_available", "components_touched",
	} with input as {}
}
