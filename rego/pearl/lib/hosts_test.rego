package pearl.lib.hosts_test

import data.pearl.lib.hosts
import rego.v1

test_success_plain_dns_names_have_no_problem if {
	every host in ["pypi.org", "a-b.example.co.uk", "xn--bcher-kva.example", "1password.com"] {
		not hosts.problem(host)
	}
}

test_fail_problem_hosts if {
	hosts.problem("a@b.org") == "userinfo"
	hosts.problem("10.0.0.1") == "ip_literal"
	hosts.problem("017700000001") == "ip_literal"
	hosts.problem("fe80::1") == "ip_literal"
	hosts.problem("-bad.org") == "malformed"
	hosts.problem("a..org") == "malformed"
	hosts.problem(concat(".", ["a" | some _ in numbers.range(1, 130)])) == "malformed"
	hosts.problem(null) == "not_a_string"
}

test_success_wildcards_need_a_label if {
	hosts.allowed("raw.githubusercontent.com", ["*.githubusercontent.com"])
	not hosts.allowed("githubusercontent.com", ["*.githubusercontent.com"])
	not hosts.allowed("evilgithubusercontent.com", ["*.githubusercontent.com"])
}
