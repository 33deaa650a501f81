package pearl.gate.rules.exceptions_valid_test

import data.pearl.gate.rules.exceptions_valid as rule
import data.pearl.gate.testdata_test as t
import rego.v1

test_success_active_exception_with_future_expiry if {
	count(rule.fail) == 0 with input as t.promotion
}

test_success_unrelated_expired_exception_is_ignored if {
	old := {"exception_id": "exc_old", "status": "expired", "expires_at": "2024-01-01T00:00:00Z", "finding_ids": ["fnd_gone"]}
	count(rule.fail) == 0 with input as t.with_changes({"exceptions": [t.exception, old]})
}

test_fail_expired_exception if {
	expired := object.union(t.exception, {"expires_at": "2025-05-31T23:59:59Z"})
	t.facts(rule.fail) == {{"code": "exception_expired", "exception_id": "exc_tls", "expires_at": "2025-05-31T23:59:59Z"}} with input as t.with_changes({"exceptions": [expired]})
}

test_fail_exception_without_expiry if {
	t.facts(rule.fail) == {{"code": "exception_expired", "exception_id": "exc_tls", "expires_at": null}} with input as t.with_changes({"exceptions": [object.remove(t.exception, ["expires_at"])]})
}

test_fail_pending_exception if {
	pending := object.union(t.exception, {"status": "pending"})
	t.facts(rule.fail) == {{"code": "exception_not_active", "exception_id": "exc_tls", "status": "pending"}} with input as t.with_changes({"exceptions": [pending]})
}

test_fail_accepted_risk_without_exception if {
	inp := t.with_changes({"accepted_risks": [{"finding_id": "fnd_r1", "severity": "high"}, {"finding_id": "fnd_r2", "severity": "low", "exception_id": "exc_nope"}]})
	t.facts(rule.fail) == {{"code": "missing_exception", "finding_id": "fnd_r1"}, {"code": "missing_exception", "finding_id": "fnd_r2"}} with input as inp
}

test_fail_exception_that_does_not_cover_the_risk if {
	inp := t.with_changes({"accepted_risks": [{"finding_id": "fnd_other", "severity": "high", "exception_id": "exc_tls"}]})
	t.facts(rule.fail) == {{"code": "exception_does_not_cover", "finding_id": "fnd_other", "exception_id": "exc_tls"}} with input as inp
}
