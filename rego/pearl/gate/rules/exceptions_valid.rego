# METADATA
# title: Exceptions valid
# description: |
#   Every exception the promotion leans on must be usable: an exception that
#   covers a listed blocking finding, or that an accepted risk names, must be
#   active and carry an expiry that has not passed; every accepted risk must
#   name an exception, and that exception must cover its finding. Expired,
#   revoked, pending or open-ended exceptions fail the gate.
# custom:
#   severity: high
#   hint: Renew or re-approve the exception (with an expiry), or fix the finding instead.
package pearl.gate.rules.exceptions_valid

import data.pearl.lib.timestamps
import rego.v1

_active_status := data.pearl_data.gate.active_exception_status

_by_id[exception.exception_id] := exception if {
	exception := input.exceptions[_]
}

_relied_on contains id if {
	risk := input.accepted_risks[_]
	id := risk.exception_id
}

_relied_on contains exception.exception_id if {
	exception := input.exceptions[_]
	finding := input.blocking_findings[_]
	finding.finding_id in exception.finding_ids
}

fail contains {
	"code": "exception_not_active",
	"message": sprintf("exception %v is %v, not %v", [id, exception.status, _active_status]),
	"exception_id": id,
	"status": exception.status,
} if {
	some id in _relied_on
	exception := _by_id[id]
	exception.status != _active_status
}

fail contains {
	"code": "exception_expired",
	"message": sprintf("exception %v expired or has no expiry", [id]),
	"exception_id": id,
	"expires_at": object.get(exception, "expires_at", null),
} if {
	some id in _relied_on
	exception := _by_id[id]
	exception.status == _active_status
	timestamps.expired(object.get(exception, "expires_at", null), data.pearl.gate.now_ns)
}

fail contains {
	"code": "missing_exception",
	"message": sprintf("accepted risk %v names no known exception", [risk.finding_id]),
	"finding_id": risk.finding_id,
} if {
	risk := input.accepted_risks[_]
	not _by_id[object.get(risk, "exception_id", null)]
}

fail contains {
	"code": "exception_does_not_cover",
	"message": sprintf("exception %v does not cover accepted risk %v", [risk.exception_id, risk.finding_id]),
	"finding_id": risk.finding_id,
	"exception_id": risk.exception_id,
} if {
	risk := input.accepted_risks[_]
	exception := _by_id[risk.exception_id]
	not risk.finding_id in exception.finding_ids
}
