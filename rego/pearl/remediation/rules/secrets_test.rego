package pearl.remediation.rules.secrets_test

import data.pearl.remediation.rules.secrets as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

_rotation := {"outcome": "human_required", "code": "secret_rotation", "trigger": "secret_rotation"}

test_success_code_findings_are_not_secrets if {
	count(rule.outcome) == 0 with input as t.candidate
}

test_fail_secret_scanner_findings_need_rotation_by_a_human if {
	t.facts(rule.outcome) == {_rotation} with input as t.with_changes({"tool_type": "secrets", "severity": "low", "environment": "sandbox"})
}

test_fail_secret_categories_come_from_data if {
	t.facts(rule.outcome) == {_rotation} with input as t.with_changes({"category": "credentials"})
		with data.pearl_data.remediation.secret_categories as ["credentials"]
}
