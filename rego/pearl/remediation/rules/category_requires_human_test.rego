package pearl.remediation.rules.category_requires_human_test

import data.pearl.remediation.rules.category_requires_human as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

test_success_security_findings_can_be_automated if {
	count(rule.outcome) == 0 with input as t.candidate
}

test_fail_responsible_ai_findings_need_judgement if {
	t.facts(rule.outcome) == {{"outcome": "human_required", "code": "judgement_category", "trigger": "human_judgement"}} with input as t.with_changes({"category": "responsible_ai"})
}

test_fail_governance_findings_need_judgement if {
	t.facts(rule.outcome) == {{"outcome": "human_required", "code": "judgement_category", "trigger": "human_judgement"}} with input as t.with_changes({"category": "governance"})
}
