# METADATA
# title: Host helpers
# description: |
#   Network hosts as PeaRL sends them: already parsed out of the URL,
#   lower-cased and IDNA-encoded by Python. `problem` names a host that must
#   never be contacted whatever the allow-list says (user-info left in, IP
#   literals in any notation, anything that is not a plain DNS name);
#   `allowed` matches exact entries and `*.suffix` wildcards (one or more
#   labels, never the bare suffix).
package pearl.lib.hosts

import rego.v1

_ip_literal := `^\[|^[0-9a-f:.]*:[0-9a-f:.]*$|(^|\.)(0x[0-9a-f]*|[0-9]+)$`

_dns_name := `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`

problem(host) := "not_a_string" if {
	not is_string(host)
} else := "userinfo" if {
	contains(host, "@")
} else := "ip_literal" if {
	regex.match(_ip_literal, host)
} else := "malformed" if {
	not regex.match(_dns_name, host)
} else := "malformed" if {
	count(host) > 253
}

allowed(host, allow_list) if host in allow_list

allowed(host, allow_list) if {
	some entry in allow_list
	startswith(entry, "*.")
	endswith(host, trim_prefix(entry, "*"))
}
