package pearl.guardrails.rules.action_type_allowed_test

import data.pearl.guardrails.rules.action_type_allowed as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

test_success_code_edit_allowed_by_packet_and_profile if {
	rule.allowed with input as t.edit(["src/orders/service.py"])
	count(rule.deny) == 0 with input as t.edit(["src/orders/service.py"])
}

test_success_packet_may_allow_by_capability if {
	packet := object.union(t.packet, {"allowed_actions": ["network_egress"]})
	rule.allowed with input as t.changed({"type": "network_request", "hosts": ["pypi.org"]}, {"packet": packet})
}

test_fail_action_not_in_packet_is_denied if {
	inp := t.input_for({"type": "config_edit_nonprod", "paths": ["config/app.yaml"]})
	t.facts(rule.deny) == {{"code": "not_allowed_by_packet", "action_type": "config_edit_nonprod"}} with input as inp
	not rule.allowed with input as inp
}

test_fail_unknown_action_type_is_denied_by_default if {
	inp := t.input_for({"type": "format_disk"})
	t.facts(rule.deny) == {{"code": "unknown_action_type", "action_type": "format_disk"}} with input as inp
	not rule.allowed with input as inp
}

test_fail_action_without_type_is_denied if {
	t.facts(rule.deny) == {{"code": "missing_action_type"}} with input as t.input_for({"paths": ["src/orders/a.py"]})
}

test_fail_capability_not_granted_by_environment if {
	profile := object.union(t.profile, {"allowed_capabilities": ["code_edit"]})
	inp := t.changed({"type": "command_run", "commands": [["pytest"]]}, {"profile": profile})
	t.facts(rule.deny) == {{"code": "not_allowed_by_environment", "capability": "command_run"}} with input as inp
}

test_fail_blocked_by_packet_even_if_allowed if {
	packet := object.union(t.packet, {"blocked_actions": ["code_edit"]})
	inp := t.changed({"type": "code_edit", "paths": ["src/orders/a.py"]}, {"packet": packet})
	t.facts(rule.deny) == {{"code": "blocked", "blocked": "code_edit"}} with input as inp
	not rule.allowed with input as inp
}

test_fail_blocked_capability_of_environment_wins if {
	profile := object.union(t.profile, {"blocked_capabilities": ["dependency_change"]})
	inp := t.changed({"type": "dependency_change", "paths": ["requirements.txt"]}, {"profile": profile})
	t.facts(rule.deny) == {{"code": "blocked", "blocked": "dependency_change"}} with input as inp
}

test_fail_no_profile_no_environment_no_packet if {
	t.facts(rule.deny) == {
		{"code": "missing_action_type"},
		{"code": "no_environment"},
		{"code": "no_environment_profile"},
	} with input as {}
	not rule.allowed with input as {}
}

test_fail_missing_environment_is_denied if {
	inp := object.remove(t.edit(["src/orders/a.py"]), ["environment"])
	t.facts(rule.deny) == {{"code": "no_environment"}} with input as inp
	not rule.allowed with input as inp
}

test_fail_fields_must_be_lists if {
	inp := t.input_for({"type": "command_run", "commands": "git status; rm -rf /", "shell_features": "|", "paths": "a", "hosts": "h"})
	t.facts(rule.deny) == {
		{"code": "field_not_a_list", "field": "commands"},
		{"code": "field_not_a_list", "field": "shell_features"},
		{"code": "field_not_a_list", "field": "paths"},
		{"code": "field_not_a_list", "field": "hosts"},
	} with input as inp
}

test_fail_fields_the_type_does_not_take if {
	inp := t.input_for({
		"type": "code_edit", "paths": ["src/orders/a.py"],
		"commands": [["pytest"]], "shell_features": [{"kind": "pipe"}], "hosts": ["pypi.org"],
	})
	t.facts(rule.deny) == {
		{"code": "field_not_permitted", "field": "commands"},
		{"code": "field_not_permitted", "field": "shell_features"},
		{"code": "field_not_permitted", "field": "hosts"},
	} with input as inp
}

test_fail_required_fields_missing if {
	t.facts(rule.deny) == {{"code": "field_required", "field": "paths"}} with input as t.edit([])
	t.facts(rule.deny) == {{"code": "field_required", "field": "commands"}} with input as t.run([])
	t.facts(rule.deny) == {{"code": "field_required", "field": "hosts"}} with input as t.input_for({"type": "network_request"})
}

test_success_optional_fields_may_be_absent if {
	count(rule.deny) == 0 with input as t.input_for({"type": "dependency_change", "paths": ["requirements.txt"]})
	count(rule.deny) == 0 with input as t.input_for({"type": "dependency_change", "commands": [["pip", "install", "requests"]]})
}

test_fail_unknown_list_fields_are_not_permitted if {
	inp := t.input_for({"type": "code_edit", "paths": ["src/orders/a.py"], "env": ["LD_PRELOAD=/tmp/x.so"]})
	t.facts(rule.deny) == {{"code": "field_not_permitted", "field": "env"}} with input as inp
}

test_success_new_vocabulary_is_granted_through_its_capability if {
	every action in [
		{"type": "file_read", "paths": ["src/billing/charge.py"]},
		{"type": "file_write", "paths": ["src/orders/a.py"]},
		{"type": "file_delete", "paths": ["src/orders/a.py"]},
		{"type": "git_commit", "commands": [["git", "commit", "-m", "Fix"]]},
	] {
		rule.allowed with input as t.input_for(action)
		count(rule.deny) == 0 with input as t.input_for(action)
	}
}

test_fail_new_types_need_their_capability_or_name_in_the_packet if {
	t.facts(rule.deny) == {{"code": "not_allowed_by_packet", "action_type": "network_egress"}} with input as t.input_for({"type": "network_egress", "hosts": ["pypi.org"]})
	t.facts(rule.deny) == {{"code": "not_allowed_by_packet", "action_type": "config_change"}} with input as t.input_for({"type": "config_change", "paths": ["src/orders/settings.yaml"]})
	packet := object.union(t.packet, {"allowed_actions": ["code_edit"]})
	inp := t.changed({"type": "file_read", "paths": ["src/orders/a.py"]}, {"packet": packet})
	t.facts(rule.deny) == {{"code": "not_allowed_by_packet", "action_type": "file_read"}} with input as inp
}

test_fail_reads_need_the_code_read_capability if {
	profile := object.union(t.profile, {"allowed_capabilities": ["code_edit"]})
	inp := t.changed({"type": "file_read", "paths": ["src/orders/a.py"]}, {"profile": profile})
	t.facts(rule.deny) == {{"code": "not_allowed_by_environment", "capability": "code_read"}} with input as inp
	not rule.allowed with input as inp
}

test_success_dependency_change_may_name_only_packages if {
	count(rule.deny) == 0 with input as t.install([{"name": "requests", "version": "2.32.3"}])
}

test_fail_dependency_change_naming_nothing if {
	t.facts(rule.deny) == {{"code": "field_required_any", "fields": ["paths", "commands", "packages"]}} with input as t.input_for({"type": "dependency_change"})
	t.facts(rule.deny) == {{"code": "field_required_any", "fields": ["paths", "commands", "packages"]}} with input as t.input_for({"type": "dependency_change", "packages": [], "paths": []})
}

test_fail_packages_on_other_action_types if {
	inp := t.input_for({"type": "command_run", "commands": [["pip", "install", "requests"]], "packages": [{"name": "requests", "version": null}]})
	t.facts(rule.deny) == {{"code": "field_not_permitted", "field": "packages"}} with input as inp
	t.facts(rule.deny) == {{"code": "field_not_a_list", "field": "packages"}} with input as t.input_for({"type": "dependency_change", "packages": {"name": "requests"}})
}
