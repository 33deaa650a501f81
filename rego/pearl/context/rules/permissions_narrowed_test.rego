package pearl.context.rules.permissions_narrowed_test

import data.pearl.context.rules.permissions_narrowed as rule
import data.pearl.context.testdata_test as t
import rego.v1

test_success_faithful_merge if {
	count(rule.violation) == 0 with input as t.compiled
}

test_success_narrower_than_every_layer if {
	count(rule.violation) == 0 with input as t.with_package({"autonomy_policy": {"mode": "assistive", "allowed_actions": ["test_run"]}})
}

test_fail_action_one_layer_does_not_grant if {
	t.facts(rule.violation) == {
		{"code": "action_not_granted", "action": "dependency_change", "layer": "environment_profile"},
		{"code": "action_not_granted", "action": "command_run", "layer": "app_spec"},
	} with input as t.with_package({"autonomy_policy": {"allowed_actions": ["code_edit", "dependency_change", "command_run"]}})
}

test_fail_action_no_layer_grants if {
	inp := {"package": t.compiled_package, "layers": {"org_baseline": t.layers.org_baseline}}
	t.facts(rule.violation) == {
		{"code": "action_granted_by_no_layer", "action": "code_edit"},
		{"code": "action_granted_by_no_layer", "action": "test_run"},
	} with input as inp
}

test_fail_wider_autonomy_mode if {
	t.facts(rule.violation) == {{"code": "autonomy_widened", "layer": "environment_profile"}} with input as t.with_package({"autonomy_policy": {"mode": "delegated_autonomous"}})
}

test_fail_unknown_autonomy_mode if {
	t.facts(rule.violation) == {{"code": "autonomy_widened", "layer": "environment_profile"}} with input as t.with_package({"autonomy_policy": {"mode": "yolo"}})
}

test_fail_wider_egress if {
	t.facts(rule.violation) == {{"code": "egress_widened", "host": "evil.example", "layer": "app_spec"}} with input as t.with_package({"network_requirements": {"outbound_allowlist": ["api.stripe.com", "evil.example"]}})
}

test_fail_no_package if {
	t.facts(rule.violation) == {{"code": "no_package"}} with input as {"layers": t.layers}
}
