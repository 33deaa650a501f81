# Shared fixtures for the gate tests: a promotion to prod that passes. No tests here.
package pearl.gate.testdata_test

import rego.v1

exception := {
	"exception_id": "exc_tls",
	"status": "active",
	"expires_at": "2025-09-01T00:00:00Z",
	"finding_ids": ["fnd_tls", "fnd_risk"],
}

promotion := {
	"target_environment": "prod",
	"now": "2025-06-01T12:00:00Z",
	"open_counts": {"critical": 0, "high": 1, "moderate": 4, "low": 12},
	"blocking_findings": [{"finding_id": "fnd_tls", "severity": "high"}],
	"unverified_fixes": [],
	"exceptions": [exception],
	"accepted_risks": [{"finding_id": "fnd_risk", "severity": "high", "exception_id": "exc_tls"}],
	"evidence": ["sast_scan", "sca_scan", "secrets_scan", "sbom", "security_review"],
}

with_changes(changes) := object.union(promotion, changes)

facts(failures) := {object.remove(failure, ["message"]) | some failure in failures}
