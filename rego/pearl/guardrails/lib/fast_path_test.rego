package pearl.guardrails.lib.fast_path_test

import data.pearl.guardrails.lib.fast_path
import data.pearl.guardrails.testdata_test as t
import rego.v1

test_success_plain_edit_takes_the_fast_path if {
	fast_path.allowed with input as t.edit(["src/orders/service.py"])
}

test_success_listed_command_takes_the_fast_path if {
	fast_path.allowed with input as t.run([["pytest", "-q"], ["git", "status"]])
}

test_fail_out_of_scope_edit_leaves_the_fast_path if {
	not fast_path.allowed with input as t.edit(["src/billing/service.py"])
}

test_fail_protected_path_leaves_the_fast_path if {
	not fast_path.allowed with input as t.edit(["src/orders/.env"])
}

test_fail_security_sensitive_path_leaves_the_fast_path if {
	not fast_path.allowed with input as t.edit(["src/orders/auth.py"])
}

test_fail_foreign_lease_leaves_the_fast_path if {
	not fast_path.allowed with input as t.changed(
		{"type": "code_edit", "paths": ["src/orders/service.py"]},
		{"principal": {"subject_id": "sa_other", "kind": "service_account"}},
	)
}

test_fail_approval_trigger_leaves_the_fast_path if {
	not fast_path.allowed with input as t.changed(
		{"type": "code_edit", "paths": ["src/orders/service.py"]},
		{"packet": object.union(t.packet, {"approval_triggers": ["code_edit"]})},
	)
}

test_fail_unknown_field_leaves_the_fast_path if {
	not fast_path.allowed with input as t.input_for({"type": "code_edit", "paths": ["src/orders/a.py"], "hosts": ["x.example"]})
}

test_fail_shell_redirect_leaves_the_fast_path if {
	not fast_path.allowed with input as t.input_for({
		"type": "command_run",
		"commands": [["pytest"]],
		"shell_features": [{"kind": "redirect", "target": "out.txt"}],
	})
}

test_success_full_decision_agrees_on_the_fast_path if {
	data.pearl.guardrails.full_decision.decision == "allow" with input as t.edit(["src/orders/service.py"])
}
