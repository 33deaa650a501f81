package pearl.lib.commands_test

import data.pearl.lib.commands
import rego.v1

_context := {"packages": ["requests", "Django_REST.framework"], "allowed_paths": ["src/**"], "hosts": ["pypi.org"]}

_allow_list := {
	"pip install": {"rest": "packages", "flags": ["-U"]},
	"git add": {"rest": "paths", "flags": ["--"]},
	"git commit": {"rest": "any", "deny_args": ["-n", "--author"]},
	"git push": {"rest": "any", "deny_prefixes": ["+"]},
	"curl": {"rest": "urls", "flags": ["-s"]},
	"ruff": {"rest": "flags", "flags": ["--version"]},
	"python -m pytest": {"rest": "any"},
	"true": {"rest": "none"},
	"odd": {"rest": "unknown-mode"},
}

test_success_package_names_are_normalised if {
	commands.package_name("Django_REST.framework[extra]>=3.1,<4") == "django-rest-framework"
	commands.package_name("requests===2.0") == "requests"
}

test_fail_requirement_specs_that_are_not_plain_names if {
	every spec in ["git+https://x/y", "./local.whl", "requests @ https://x", "requests;python_version<'3'", "-e ."] {
		not commands.package_name(spec)
	}
}

test_success_modes_accept_what_they_should if {
	every argv in [
		["pip", "install", "-U", "requests", "django-rest-framework==3.15"],
		["git", "add", "--", "src/a.py"],
		["git", "commit", "-m", "fix"],
		["curl", "-s", "https://pypi.org/simple/"],
		["ruff", "--version"],
		["python", "-m", "pytest", "-k", "x"],
		["true"],
	] {
		commands.allowed(argv, _allow_list, _context)
	}
}

test_fail_modes_reject_what_they_should if {
	every argv in [
		["true", "x"],
		["ruff", "--fix"],
		["pip", "install", "flask"],
		["git", "add", ".git/config"],
		["git", "add", "docs/x.md"],
		["curl", "https://pypi.org:8443/"],
		["curl", "https://evil@pypi.org/"],
		["git", "commit", "-qn"],
		["git", "commit", "--author=x"],
		["git", "push", "origin", "+main"],
		["git", "status"],
		["git"],
		["odd"],
		["python -m pytest"],
		["python", "-m pytest"],
	] {
		not commands.allowed(argv, _allow_list, _context)
	}
}

test_success_packet_prefixes_are_token_prefixes if {
	commands.packet_allows(["git", "status", "-s"], ["pytest", "git status"])
	commands.packet_allows(["pytest"], ["pytest"])
	not commands.packet_allows(["git", "stash"], ["git status", ""])
	not commands.packet_allows(["git status"], ["git status"])
	not commands.packet_allows(["git", "status"], "git status")
}

test_success_feature_kinds if {
	commands.feature_kind({"kind": "pipe"}) == "pipe"
	commands.feature_kind("pipe") == "malformed"
	commands.display(["git", "status"]) == "git status"
	not commands.valid_argv([])
	not commands.valid_argv(["git", 1])
	commands.prefix_keys(["a", "b", "c", "d", "e"]) == ["a", "a b", "a b c", "a b c d"]
}
