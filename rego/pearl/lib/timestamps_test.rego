package pearl.lib.timestamps_test

import data.pearl.lib.timestamps
import rego.v1

_noon := time.parse_rfc3339_ns("2025-06-01T12:00:00Z")

test_success_future_expiry_has_not_passed if {
	not timestamps.expired("2025-06-01T12:00:01Z", _noon)
	not timestamps.lapsed(null, _noon)
}

test_fail_past_missing_or_unknown_times_count_as_expired if {
	timestamps.expired("2025-06-01T12:00:00Z", _noon)
	timestamps.expired(null, _noon)
	timestamps.expired("2025-06-01T13:00:00Z", null)
	timestamps.lapsed("2025-06-01T11:00:00+00:00", _noon)
}
