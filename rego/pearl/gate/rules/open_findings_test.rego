package pearl.gate.rules.open_findings_test

import data.pearl.gate.rules.open_findings as rule
import data.pearl.gate.testdata_test as t
import rego.v1

test_success_blocking_finding_covered_by_active_exception if {
	count(rule.fail) == 0 with input as t.promotion
}

test_success_high_findings_do_not_block_dev if {
	count(rule.fail) == 0 with input as t.with_changes({"target_environment": "dev", "exceptions": [], "open_counts": {"high": 1}})
}

test_fail_uncovered_high_finding_blocks_prod if {
	t.facts(rule.fail) == {{"code": "open_finding", "finding_id": "fnd_tls", "severity": "high"}} with input as t.with_changes({"exceptions": []})
}

test_fail_expired_exception_covers_nothing if {
	expired := object.union(t.exception, {"expires_at": "2025-05-01T00:00:00Z"})
	t.facts(rule.fail) == {{"code": "open_finding", "finding_id": "fnd_tls", "severity": "high"}} with input as t.with_changes({"exceptions": [expired]})
}

test_fail_revoked_or_open_ended_exception_covers_nothing if {
	revoked := object.union(t.exception, {"status": "revoked"})
	open_ended := object.remove(t.exception, ["expires_at"])
	t.facts(rule.fail) == {{"code": "open_finding", "finding_id": "fnd_tls", "severity": "high"}} with input as t.with_changes({"exceptions": [revoked, open_ended]})
}

test_fail_counts_beyond_the_listed_findings if {
	t.facts(rule.fail) == {{"code": "unlisted_open_findings", "count": 3}} with input as t.with_changes({"open_counts": {"critical": 2, "high": 2}})
}

test_fail_unknown_severity_blocks if {
	inp := t.with_changes({"blocking_findings": [{"finding_id": "fnd_x", "severity": "weird"}], "open_counts": {"high": 0, "weird": 1}})
	t.facts(rule.fail) == {{"code": "open_finding", "finding_id": "fnd_x", "severity": "weird"}} with input as inp
}

test_success_threshold_comes_from_data if {
	count(rule.fail) == 0 with input as t.with_changes({"exceptions": []})
		with data.pearl_data.gate.environments.prod.block_at as "critical"
}
