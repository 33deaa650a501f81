package pearl.lib.exceptions_test

import data.pearl.lib.exceptions
import rego.v1

_now := time.parse_rfc3339_ns("2025-06-01T12:00:00Z")

_active := {"exception_id": "exc_1", "status": "active", "expires_at": "2025-07-01T00:00:00Z", "finding_ids": ["fnd_1", "fnd_2"]}

test_success_active_unexpired_exception_waives_its_findings if {
	exceptions.active(_active, _now)
	exceptions.waived([_active], _now) == {"fnd_1", "fnd_2"}
}

test_fail_inactive_expired_or_open_ended_exceptions_waive_nothing if {
	revoked := object.union(_active, {"status": "revoked"})
	expired := object.union(_active, {"expires_at": "2025-05-01T00:00:00Z"})
	open_ended := object.remove(_active, ["expires_at"])
	exceptions.waived([revoked, expired, open_ended], _now) == set()
	exceptions.waived([_active], null) == set()
}
