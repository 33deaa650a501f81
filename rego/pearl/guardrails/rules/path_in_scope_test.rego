package pearl.guardrails.rules.path_in_scope_test

import data.pearl.guardrails.rules.path_in_scope as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

test_success_paths_inside_allowed_globs if {
	count(rule.deny) == 0 with input as t.edit(["src/orders/service.py", "src/orders/deep/er/x.py", "tests/test_orders.py", "requirements-dev.txt"])
}

test_success_spaces_and_brackets_are_plain_names if {
	count(rule.deny) == 0 with input as t.edit(["src/orders/my notes.md", "src/orders/[id].tsx"])
}

test_fail_path_outside_allowed_globs if {
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/billing/charge.py"}} with input as t.edit(["src/billing/charge.py"])
}

test_fail_globs_are_case_sensitive if {
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "SRC/orders/a.py"}} with input as t.edit(["SRC/orders/a.py"])
}

test_fail_single_star_stays_in_one_directory if {
	packet := object.union(t.packet, {"allowed_paths": ["src/orders/*"]})
	inp := t.changed({"type": "code_edit", "paths": ["src/orders/sub/a.py"]}, {"packet": packet})
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/orders/sub/a.py"}} with input as inp
}

test_fail_no_allowed_paths_means_none if {
	packet := object.union(t.packet, {"allowed_paths": []})
	inp := t.changed({"type": "code_edit", "paths": ["src/orders/a.py"]}, {"packet": packet})
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/orders/a.py"}} with input as inp
}

test_fail_parent_traversal if {
	t.facts(rule.deny) == {{
		"code": "unsafe_path",
		"path": "src/orders/../../etc/passwd",
		"problems": ["parent_segment"],
	}} with input as t.edit(["src/orders/../../etc/passwd"])
}

test_fail_absolute_path if {
	t.facts(rule.deny) == {{"code": "unsafe_path", "path": "/etc/passwd", "problems": ["absolute"]}} with input as t.edit(["/etc/passwd"])
}

test_fail_backslash_home_colon_and_nul if {
	t.facts(rule.deny) == {
		{"code": "unsafe_path", "path": "src\\orders\\..\\x", "problems": ["backslash"]},
		{"code": "unsafe_path", "path": "~/.ssh/id_rsa", "problems": ["home"]},
		{"code": "unsafe_path", "path": "C:/Windows/x", "problems": ["colon"]},
		{"code": "unsafe_path", "path": "src/orders/a.py\u0000.txt", "problems": ["control_character"]},
	} with input as t.edit(["src\\orders\\..\\x", "~/.ssh/id_rsa", "C:/Windows/x", "src/orders/a.py\u0000.txt"])
}

test_fail_dot_empty_and_trailing_dot_segments if {
	t.facts(rule.deny) == {
		{"code": "unsafe_path", "path": "src/orders/./a.py", "problems": ["dot_segment"]},
		{"code": "unsafe_path", "path": "src/orders//a.py", "problems": ["empty_segment"]},
		{"code": "unsafe_path", "path": "src/orders/.git./config", "problems": ["trailing_dot_or_space"]},
	} with input as t.edit(["src/orders/./a.py", "src/orders//a.py", "src/orders/.git./config"])
}

test_fail_non_ascii_lookalike if {
	t.facts(rule.deny) == {{"code": "unsafe_path", "path": "src/orders/\u0261it.py", "problems": ["non_ascii"]}} with input as t.edit(["src/orders/\u0261it.py"])
}

test_fail_non_string_path if {
	t.facts(rule.deny) == {{"code": "unsafe_path", "path": 7, "problems": ["not_a_string"]}} with input as t.edit([7])
}
test_success_reads_may_name_any_safe_repository_path if {
	count(rule.deny) == 0 with input as t.read(["src/billing/charge.py", "README.md", "docs/design/guard-rails.md", "pyproject.toml"])
}

test_fail_reads_must_still_be_plain_relative_paths if {
	t.facts(rule.deny) == {
		{"code": "unsafe_path", "path": "../other-repo/secrets.py", "problems": ["parent_segment"]},
		{"code": "unsafe_path", "path": "/etc/passwd", "problems": ["absolute"]},
	} with input as t.read(["../other-repo/secrets.py", "/etc/passwd", "src/orders/a.py"])
}

test_fail_writes_and_deletes_stay_inside_the_packet_scope if {
	every type in ["file_write", "file_delete", "config_change", "code_edit"] {
		t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/billing/charge.py"}} with input as t.input_for({"type": type, "paths": ["src/billing/charge.py"]})
	}
}

test_fail_unknown_path_access_or_type_keeps_the_packet_scope if {
	inp := t.read(["src/billing/charge.py"])
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/billing/charge.py"}} with input as inp
		with data.pearl_data.guardrails.by_action.file_read.path_access as "Read"
	t.facts(rule.deny) == {{"code": "outside_allowed_paths", "path": "src/billing/charge.py"}} with input as t.input_for({"type": "read_anything", "paths": ["src/billing/charge.py"]})
}
