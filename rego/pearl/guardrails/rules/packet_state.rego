# METADATA
# title: Task packet claimed by this agent
# description: |
#   An agent acts only under a task packet it holds: the packet is `claimed`,
#   its lease is held by the acting principal (input.principal.subject_id) and
#   has not expired at input.now, the packet itself has not expired, and its
#   denied attempts are below data.pearl_data.guardrails.packet.max_denied_attempts.
#   No packet is an unclaimed packet; a packet without a lease is held by
#   nobody and expired. Times are RFC 3339; a missing time counts as expired.
# custom:
#   severity: high
#   hint: Claim the task packet (or renew its lease with a heartbeat) before acting, and act as the principal holding the lease.
package pearl.guardrails.rules.packet_state

import rego.v1

deny contains {
	"code": "packet_not_claimed",
	"message": "the task packet is not claimed",
} if {
	not input.packet.status == "claimed"
}

deny contains {"code": "lease_held_by_another", "message": "the task packet's lease is not held by the acting principal"} if {
	not _held_by_principal
}

deny contains {"code": "lease_expired", "message": "the task packet's lease has expired"} if {
	not _lease_live
}

deny contains {
	"code": "packet_expired",
	"message": "the task packet has expired",
	"expires_at": input.packet.expires_at,
} if {
	input.packet.expires_at != null
	not _packet_live
}

deny contains {
	"code": "too_many_denials",
	"message": sprintf("the task packet has %v denied attempts (limit %v)", [attempts, limit]),
	"denied_attempts": attempts,
} if {
	attempts := input.packet.denied_attempts
	attempts != 0
	limit := data.pearl_data.guardrails.packet.max_denied_attempts
	attempts >= limit
}

_held_by_principal if {
	holder := input.packet.lease.holder_id
	is_string(holder)
	holder != ""
	holder == input.principal.subject_id
}

_lease_live if {
	is_string(input.packet.lease.expires_at)
	is_string(input.now)
	time.parse_rfc3339_ns(input.now) < time.parse_rfc3339_ns(input.packet.lease.expires_at)
}

_packet_live if {
	is_string(input.packet.expires_at)
	is_string(input.now)
	time.parse_rfc3339_ns(input.now) < time.parse_rfc3339_ns(input.packet.expires_at)
}
