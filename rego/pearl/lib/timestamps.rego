# METADATA
# title: Timestamp helpers
# description: |
#   RFC 3339 timestamps as PeaRL sends them (`2025-06-01T12:00:00Z`), as
#   nanoseconds. `ns` is undefined for a value that is not a string, and
#   `expired` then treats it as expired, so a missing expiry fails closed. A
#   string that is not RFC 3339 is a bug in the caller: parsing it raises an
#   evaluation error, which PeaRL also treats as a denial. Rules parse `now`
#   once (a rule, not a function call per comparison) and compare numbers.
package pearl.lib.timestamps

import rego.v1

ns(value) := time.parse_rfc3339_ns(value) if is_string(value)

# `expires_at` has passed at `now_ns`, or is missing, or `now_ns` is not a number.
expired(expires_at, now_ns) if not _before(now_ns, ns(expires_at))

# An optional expiry (null: never) that has passed.
lapsed(expires_at, now_ns) if {
	expires_at != null
	expired(expires_at, now_ns)
}

_before(now_ns, deadline) if {
	is_number(now_ns)
	now_ns < deadline
}
