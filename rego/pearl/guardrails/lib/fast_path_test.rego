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

test_success_plain_read_anywhere_in_the_repository_takes_the_fast_path if {
	fast_path.allowed with input as t.read(["src/billing/charge.py"])
	fast_path.allowed with input as t.read(["src/orders/auth/tokens.py", "README.md"])
	data.pearl.guardrails.full_decision.decision == "allow" with input as t.read(["src/billing/charge.py", "src/orders/auth/tokens.py"])
}

test_fail_protected_or_unsafe_read_leaves_the_fast_path if {
	not fast_path.allowed with input as t.read([".env"])
	not fast_path.allowed with input as t.read(["src/orders/a.py", ".git/config"])
	not fast_path.allowed with input as t.read(["../x.py"])
}

test_fail_read_scope_is_only_for_types_that_only_read if {
	not fast_path.allowed with input as t.input_for({"type": "file_write", "paths": ["src/billing/charge.py"]})
	not fast_path.allowed with input as t.read(["src/billing/charge.py"])
		with data.pearl_data.guardrails.by_action.file_read.path_access as "Read"
}

test_success_listed_git_commit_takes_the_fast_path if {
	fast_path.allowed with input as t.input_for({"type": "git_commit", "commands": [["git", "commit", "-m", "Fix rounding"]]})
}

test_fail_packages_leave_the_fast_path_even_without_approval if {
	not fast_path.allowed with input as t.install([{"name": "requests", "version": "2.32.3"}])
		with data.pearl_data.guardrails.by_action.dependency_change as {"capability": "dependency_change", "required_any": ["packages"], "optional": ["packages"]}
}

test_fail_dependency_change_naming_nothing_leaves_the_fast_path if {
	not fast_path.allowed with input as t.input_for({"type": "dependency_change"})
		with data.pearl_data.guardrails.by_action.dependency_change as {"capability": "dependency_change", "required_any": ["paths", "commands", "packages"], "optional": ["paths", "commands", "packages"]}
}
