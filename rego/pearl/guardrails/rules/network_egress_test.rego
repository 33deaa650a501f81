package pearl.guardrails.rules.network_egress_test

import data.pearl.guardrails.rules.network_egress as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

fetch(hosts) := t.input_for({"type": "network_request", "hosts": hosts})

test_success_org_environment_and_profile_allow_lists if {
	count(rule.deny) == 0 with input as fetch(["pypi.org", "raw.githubusercontent.com", "docs.python.org", "api.internal.example"])
}

test_fail_host_not_on_allow_list if {
	t.facts(rule.deny) == {{"code": "host_not_allowed", "host": "evil.example"}} with input as fetch(["evil.example"])
}

test_fail_environment_entries_apply_only_there if {
	t.facts(rule.deny) == {{"code": "host_not_allowed", "host": "docs.python.org"}} with input as t.changed({"type": "network_request", "hosts": ["docs.python.org"]}, {"environment": "prod"})
}

test_fail_lookalike_and_suffix_tricks if {
	t.facts(rule.deny) == {
		{"code": "host_not_allowed", "host": "pypi.org.evil.example"},
		{"code": "host_not_allowed", "host": "evilpypi.org"},
		{"code": "host_not_allowed", "host": "githubusercontent.com"},
		{"code": "host_not_allowed", "host": "xn--pypi-xxa.org"},
	} with input as fetch(["pypi.org.evil.example", "evilpypi.org", "githubusercontent.com", "xn--pypi-xxa.org"])
}

test_fail_userinfo_left_in_the_host if {
	t.facts(rule.deny) == {{"code": "host_rejected", "host": "evil@pypi.org", "problem": "userinfo"}} with input as fetch(["evil@pypi.org"])
}

test_fail_ip_literals_in_any_notation if {
	t.facts(rule.deny) == {
		{"code": "host_rejected", "host": "169.254.169.254", "problem": "ip_literal"},
		{"code": "host_rejected", "host": "2130706433", "problem": "ip_literal"},
		{"code": "host_rejected", "host": "0x7f.1", "problem": "ip_literal"},
		{"code": "host_rejected", "host": "[::1]", "problem": "ip_literal"},
		{"code": "host_rejected", "host": "::ffff:127.0.0.1", "problem": "ip_literal"},
	} with input as fetch(["169.254.169.254", "2130706433", "0x7f.1", "[::1]", "::ffff:127.0.0.1"])
}

test_fail_hosts_python_should_have_normalised if {
	t.facts(rule.deny) == {
		{"code": "host_rejected", "host": "PyPI.org", "problem": "malformed"},
		{"code": "host_rejected", "host": "pypi.org:443", "problem": "malformed"},
		{"code": "host_rejected", "host": "pypi.org.", "problem": "malformed"},
		{"code": "host_rejected", "host": "p\u00fdpi.org", "problem": "malformed"},
		{"code": "host_rejected", "host": 42, "problem": "not_a_string"},
	} with input as fetch(["PyPI.org", "pypi.org:443", "pypi.org.", "p\u00fdpi.org", 42])
}