# METADATA
# title: Network egress allow-list
# description: |
#   An action may reach only hosts on the allow-list: the org-wide
#   data.pearl_data.guardrails.network.allowed_hosts, the entries for the
#   environment in network.by_environment, and the environment profile's
#   outbound_allowlist. Exact names or `*.suffix` wildcards. PeaRL parses the
#   URL and sends input.action.hosts lower-cased and IDNA-encoded; a host that
#   still carries user-info (`evil@allowed.com`), is an IP literal in any
#   notation, or is not a plain DNS name is denied outright.
# custom:
#   severity: high
#   hint: Reach only allow-listed hosts by name; ask for the host to be added to the allow-list if the task needs it.
package pearl.guardrails.rules.network_egress

import data.pearl.lib.hosts
import rego.v1

deny contains {
	"code": "host_rejected",
	"message": sprintf("host %v is never reachable (%v)", [host, problem]),
	"host": host,
	"problem": problem,
} if {
	host := input.action.hosts[_]
	problem := hosts.problem(host)
}

deny contains {
	"code": "host_not_allowed",
	"message": sprintf("host %v is not on the egress allow-list", [host]),
	"host": host,
} if {
	host := input.action.hosts[_]
	not hosts.problem(host)
	not hosts.allowed(host, _allow_list)
}

_allow_list := array.concat(
	array.concat(network.allowed_hosts, object.get(network.by_environment, input.environment, [])),
	object.get(input.profile, "outbound_allowlist", []),
) if {
	input.action.hosts[_]
	network := data.pearl_data.guardrails.network
}
