package pearl.lib.paths_test

import data.pearl.lib.paths
import rego.v1

test_success_plain_relative_paths_are_safe if {
	every path in ["a.py", "src/a/b.py", ".github/x", "a b/c", "[id].tsx", "v1.2/x"] {
		paths.safe(path)
	}
}

test_fail_escapes_are_unsafe if {
	every path in ["", "/a", "a//b", "./a", "a/..", "a\\b", "~/a", "C:/a", "a\u0000b", "a.", "a /b", "caf\u00e9"] {
		not paths.safe(path)
		count(paths.problems(path)) > 0
	}
}

test_success_problems_name_every_issue if {
	paths.problems("/../a\\~") == {"absolute", "parent_segment", "backslash", "home"}
	paths.problems(["x"]) == {"not_a_string"}
}

test_fail_protected_matches_name_what_was_hit if {
	paths.protected_matches("Deploy/.SSH/ID_RSA") == {".ssh", "id_rsa"}
	paths.protected_matches(42) == set()
	not paths.protected(42)
}

test_success_in_scope_uses_segment_aware_globs if {
	paths.in_scope("src/a/b.py", ["docs/**", "src/**"])
	not paths.in_scope("src/a/b.py", ["src/*"])
	not paths.in_scope("src/a.py", "src/**")
	paths.writable("src/a.py", ["src/*"])
	not paths.writable("src/../a.py", ["**"])
}
