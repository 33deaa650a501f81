package pearl.context.rules.prohibitions_kept_test

import data.pearl.context.rules.prohibitions_kept as rule
import data.pearl.context.testdata_test as t
import rego.v1

test_success_faithful_merge if {
	count(rule.violation) == 0 with input as t.compiled
}

test_fail_blocked_action_dropped_and_allowed if {
	t.facts(rule.violation) == {
		{"code": "blocked_action_dropped", "action": "secret_access", "layer": "org_baseline"},
		{"code": "blocked_action_allowed", "action": "secret_access", "layer": "org_baseline"},
	} with input as t.with_package({"autonomy_policy": {"allowed_actions": ["code_edit", "secret_access"], "blocked_actions": ["prod_deploy"]}})
}

test_fail_approval_requirement_dropped if {
	t.facts(rule.violation) == {{"code": "approval_dropped", "action": "auth_flow_change", "layer": "org_baseline"}} with input as t.with_package({"autonomy_policy": {"approval_required_for": []}})
}

test_fail_prohibited_pattern_dropped if {
	t.facts(rule.violation) == {{"code": "prohibited_pattern_dropped", "pattern": "eval", "layer": "app_spec"}} with input as t.with_package({"security_requirements": {"prohibited_patterns": ["hardcoded_secret"]}})
}

test_fail_public_egress_reopened if {
	t.facts(rule.violation) == {{"code": "public_egress_allowed", "layer": "org_baseline"}} with input as t.with_package({"network_requirements": {"public_egress_forbidden": false}})
}
