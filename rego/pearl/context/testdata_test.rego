# Shared fixtures for the context tests: a faithful merge of three layers. No tests here.
package pearl.context.testdata_test

import rego.v1

layers := {
	"org_baseline": {
		"autonomy_mode": null,
		"allowed_actions": null,
		"blocked_actions": ["secret_access"],
		"approval_required_for": ["auth_flow_change"],
		"outbound_allowlist": null,
		"public_egress_forbidden": true,
		"prohibited_patterns": ["hardcoded_secret"],
	},
	"app_spec": {
		"allowed_actions": ["code_edit", "test_run", "dependency_change"],
		"blocked_actions": [],
		"approval_required_for": [],
		"outbound_allowlist": ["api.stripe.com", "hooks.slack.com"],
		"prohibited_patterns": ["eval"],
	},
	"environment_profile": {
		"autonomy_mode": "supervised_autonomous",
		"allowed_actions": ["code_edit", "test_create", "test_run", "command_run"],
		"blocked_actions": ["prod_deploy"],
	},
}

compiled_package := {
	"autonomy_policy": {
		"mode": "supervised_autonomous",
		"allowed_actions": ["code_edit", "test_run"],
		"blocked_actions": ["prod_deploy", "secret_access"],
		"approval_required_for": ["auth_flow_change"],
	},
	"network_requirements": {"outbound_allowlist": ["api.stripe.com"], "public_egress_forbidden": true},
	"security_requirements": {"required_controls": ["input_validation"], "prohibited_patterns": ["eval", "hardcoded_secret"]},
}

compiled := {"package": compiled_package, "layers": layers}

# `compiled` with the package's parts replaced by `changes` (objects merge).
with_package(changes) := {"package": object.union(compiled_package, changes), "layers": layers}

facts(violations) := {object.remove(violation, ["message"]) | some violation in violations}
