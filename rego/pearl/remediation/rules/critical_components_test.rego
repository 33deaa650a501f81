package pearl.remediation.rules.critical_components_test

import data.pearl.remediation.rules.critical_components as rule
import data.pearl.remediation.testdata_test as t
import rego.v1

test_success_ordinary_components if {
	count(rule.outcome) == 0 with input as t.with_changes({"components_touched": ["orders-api", "author-profile", "reports"]})
}

test_fail_component_the_app_spec_marks_critical if {
	t.facts(rule.outcome) == {{
		"outcome": "auto_allowed_with_approval",
		"code": "critical_component",
		"trigger": "critical_component_change",
		"component": "payments",
	}} with input as t.with_changes({"components_touched": ["orders-api", "payments"]})
}

test_fail_component_named_like_a_critical_one if {
	{proposal.component | some proposal in rule.outcome} == {"Auth-Service", "user_iam", "crypto/kms"} with input as t.with_changes({"components_touched": ["Auth-Service", "user_iam", "crypto/kms", "orders-api"]})
}
