package pearl.guardrails_test

import data.pearl.guardrails.testdata_test as t
import rego.v1

# The decision and the (rule_id, code) of each reason: what callers act on.
outcome(result) := [result.decision, {[reason.rule_id, reason.code] | some reason in result.reasons}]

test_success_in_scope_edit_is_allowed if {
	data.pearl.guardrails.decision == {"decision": "allow", "reasons": [], "approval_triggers": []} with input as t.edit(["src/orders/service.py"])
}

test_success_allow_listed_command_line_is_allowed if {
	data.pearl.guardrails.decision.decision == "allow" with input as t.run([["pytest", "-q"], ["git", "status"]])
}

test_fail_unknown_action_type_is_denied_by_default if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.action_type_allowed", "unknown_action_type"]}] with input as t.input_for({"type": "shutdown"})
}

test_fail_action_neither_profile_nor_packet_allow_is_denied if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.action_type_allowed", "not_allowed_by_packet"]}] with input as t.input_for({"type": "config_edit_nonprod", "paths": ["src/orders/settings.yaml"]})
}

test_fail_traversal_out_of_scope if {
	outcome(data.pearl.guardrails.decision) == ["deny", {
		["guardrails.rules.path_in_scope", "unsafe_path"],
		["guardrails.rules.protected_paths", "protected_path"],
	}] with input as t.edit(["src/orders/../../.git/config"])
}

test_fail_case_trick_on_git_dir if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.protected_paths", "protected_path"]}] with input as t.edit(["src/orders/.Git/config"])
}

test_fail_chained_command if {
	outcome(data.pearl.guardrails.decision) == ["deny", {
		["guardrails.rules.command_allowed", "command_not_allowed"],
		["guardrails.rules.command_allowed", "command_not_in_packet"],
	}] with input as t.run([["git", "status"], ["rm", "-rf", "/"]])
}

test_fail_egress_to_unlisted_host if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.network_egress", "host_not_allowed"]}] with input as t.input_for({"type": "network_request", "hosts": ["evil.example"]})
}

test_fail_deny_wins_over_approval if {
	result := data.pearl.guardrails.decision with input as t.input_for({"type": "git_push", "commands": [["git", "push", "--force"]]})
	outcome(result) == ["deny", {["guardrails.rules.command_allowed", "command_not_allowed"]}]
	result.approval_triggers == ["git_push"]
}

test_fail_git_push_needs_approval if {
	result := data.pearl.guardrails.decision with input as t.input_for({"type": "git_push", "digest": "sha256:p", "commands": [["git", "push"]]})
	outcome(result) == ["needs_approval", {["guardrails.rules.approval_triggers", "action_type"]}]
	result.approval_triggers == ["git_push"]
}

test_fail_expired_lease_denies_everything if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.packet_state", "lease_expired"]}] with input as t.changed({"type": "code_edit", "paths": ["src/orders/a.py"]}, {"now": "2025-06-01T14:00:00Z"})
}

test_fail_empty_input_is_denied if {
	data.pearl.guardrails.decision.decision == "deny" with input as {}
}

test_fail_nothing_allows_when_the_allow_rule_is_silent if {
	result := data.pearl.guardrails.decision with input as t.edit(["src/orders/a.py"])
		with data.pearl.guardrails.rules.action_type_allowed.allowed as false
	result.decision == "deny"
	result.reasons == [{"rule_id": "guardrails.rules.action_type_allowed", "message": "no guard-rail rule allowed this action", "code": "not_allowed"}]
}

test_success_read_outside_the_packet_scope_is_allowed if {
	data.pearl.guardrails.decision == {"decision": "allow", "reasons": [], "approval_triggers": []} with input as t.read(["src/billing/charge.py"])
}

test_fail_read_of_a_secret_is_denied if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.protected_paths", "protected_path"]}] with input as t.read(["src/orders/.env"])
}

test_fail_write_outside_the_packet_scope_is_denied if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.path_in_scope", "outside_allowed_paths"]}] with input as t.input_for({"type": "file_write", "paths": ["src/billing/charge.py"]})
}

test_fail_delete_in_prod_needs_approval if {
	result := data.pearl.guardrails.decision with input as t.changed({"type": "file_delete", "digest": "sha256:del", "paths": ["src/orders/old.py"]}, {"environment": "prod"})
	outcome(result) == ["needs_approval", {["guardrails.rules.approval_triggers", "action_type"]}]
	result.approval_triggers == ["file_delete"]
}

test_success_listed_package_is_allowed_in_dev if {
	data.pearl.guardrails.decision.decision == "allow" with input as t.install([{"name": "requests", "version": "2.32.3"}])
}

test_fail_unlisted_package_is_denied if {
	outcome(data.pearl.guardrails.decision) == ["deny", {["guardrails.rules.package_allowed", "package_not_allowed"]}] with input as t.install([{"name": "leftpad", "version": "1.0"}])
}
