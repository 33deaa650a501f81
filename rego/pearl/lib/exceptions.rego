# METADATA
# title: Exception helpers
# description: |
#   A risk exception waives findings only while its status is the active one
#   (data.pearl_data.gate.active_exception_status) and it has an expiry that
#   has not passed at `now_ns`. An exception without an expiry waives nothing.
package pearl.lib.exceptions

import data.pearl.lib.timestamps
import rego.v1

active(exception, now_ns) if {
	exception.status == data.pearl_data.gate.active_exception_status
	not timestamps.expired(object.get(exception, "expires_at", null), now_ns)
}

# Finding ids waived by the active exceptions among `exceptions`.
waived(exceptions, now_ns) := {id |
	exception := exceptions[_]
	active(exception, now_ns)
	id := exception.finding_ids[_]
}
