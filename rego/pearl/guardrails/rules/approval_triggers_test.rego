package pearl.guardrails.rules.approval_triggers_test

import data.pearl.guardrails.rules.approval_triggers as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

_push := {"type": "git_push", "digest": "sha256:push", "commands": [["git", "push"]]}

_approval := {
	"approval_request_id": "appr_1",
	"status": "approved",
	"action_digest": "sha256:push",
	"consumed_at": null,
	"expires_at": "2025-06-01T18:00:00Z",
}

test_success_plain_edit_needs_no_approval if {
	count(rule.needs_approval) == 0 with input as t.edit(["src/orders/service.py"])
}

test_fail_git_push_needs_approval_everywhere if {
	t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "git_push"}} with input as t.input_for(_push)
}

test_success_matching_approval_lets_the_push_through if {
	count(rule.needs_approval) == 0 with input as t.changed(_push, {"approvals": [_approval]})
}

test_fail_approval_for_another_action_or_used_or_expired if {
	other := object.union(_approval, {"action_digest": "sha256:other"})
	used := object.union(_approval, {"consumed_at": "2025-06-01T11:00:00Z"})
	lapsed := object.union(_approval, {"expires_at": "2025-06-01T11:00:00Z"})
	pending := object.union(_approval, {"status": "pending"})
	t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "git_push"}} with input as t.changed(_push, {"approvals": [other, used, lapsed, pending]})
}

test_fail_digestless_action_matches_no_approval if {
	action := object.remove(_push, ["digest"])
	blank := object.union(_approval, {"action_digest": ""})
	t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "git_push"}} with input as t.changed(action, {"approvals": [blank]})
}

test_fail_dependency_change_needs_approval_in_preprod_only if {
	change := {"type": "dependency_change", "paths": ["requirements.txt"]}
	count(rule.needs_approval) == 0 with input as t.input_for(change)
	t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "dependency_change"}} with input as t.changed(change, {"environment": "preprod"})
}

test_fail_missing_environment_still_triggers_wildcards if {
	t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "git_push"}} with input as object.remove(t.input_for(_push), ["environment"])
}

test_fail_security_sensitive_paths if {
	t.facts(rule.needs_approval) == {
		{"code": "sensitive_path", "trigger": "sensitive_path_change", "path": "src/orders/auth/tokens.py"},
		{"code": "sensitive_path", "trigger": "sensitive_path_change", "path": "src/orders/user_Login.py"},
		{"code": "sensitive_path", "trigger": "sensitive_path_change", "path": "src/orders/iam-policy.json"},
	} with input as t.edit(["src/orders/auth/tokens.py", "src/orders/user_Login.py", "src/orders/iam-policy.json", "src/orders/author.py"])
}

test_fail_packet_and_profile_triggers if {
	packet := object.union(t.packet, {"approval_triggers": ["code_edit"]})
	profile := object.union(t.profile, {"approval_required_for": ["code_edit"]})
	t.facts(rule.needs_approval) == {
		{"code": "packet_trigger", "trigger": "code_edit"},
		{"code": "profile_trigger", "trigger": "code_edit"},
	} with input as t.changed({"type": "code_edit", "paths": ["src/orders/a.py"]}, {"packet": packet, "profile": profile})
}

test_success_reading_security_sensitive_code_needs_no_approval if {
	count(rule.needs_approval) == 0 with input as t.read(["src/orders/auth/tokens.py", "src/iam/policy.py"])
}

test_fail_writing_or_deleting_security_sensitive_code_needs_approval if {
	every type in ["file_write", "file_delete"] {
		t.facts(rule.needs_approval) == {{"code": "sensitive_path", "trigger": "sensitive_path_change", "path": "src/orders/auth/tokens.py"}} with input as t.input_for({"type": type, "paths": ["src/orders/auth/tokens.py"]})
	}
}

test_fail_deletes_and_config_changes_need_approval_from_pilot_up if {
	delete := {"type": "file_delete", "paths": ["src/orders/old.py"]}
	config := {"type": "config_change", "paths": ["src/orders/settings.yaml"]}
	count(rule.needs_approval) == 0 with input as t.input_for(delete)
	count(rule.needs_approval) == 0 with input as t.input_for(config)
	every environment in ["pilot", "preprod", "prod"] {
		t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "file_delete"}} with input as t.changed(delete, {"environment": environment})
		t.facts(rule.needs_approval) == {{"code": "action_type", "trigger": "config_change"}} with input as t.changed(config, {"environment": environment})
	}
}
