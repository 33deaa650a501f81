package pearl.gate.rules.required_evidence_test

import data.pearl.gate.rules.required_evidence as rule
import data.pearl.gate.testdata_test as t
import rego.v1

test_success_all_evidence_present if {
	count(rule.fail) == 0 with input as t.promotion
}

test_success_dev_needs_none if {
	count(rule.fail) == 0 with input as t.with_changes({"target_environment": "dev", "evidence": []})
}

test_fail_missing_evidence_for_prod if {
	t.facts(rule.fail) == {{"code": "missing_evidence", "evidence": "sbom"}, {"code": "missing_evidence", "evidence": "security_review"}} with input as t.with_changes({"evidence": ["sast_scan", "sca_scan", "secrets_scan"]})
}

test_fail_required_evidence_comes_from_data if {
	t.facts(rule.fail) == {{"code": "missing_evidence", "evidence": "dast_scan"}} with input as t.with_changes({"target_environment": "dev"})
		with data.pearl_data.gate.environments.dev.required_evidence as ["dast_scan"]
}
