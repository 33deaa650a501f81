# Shared fixtures for the remediation tests. No tests here.
package pearl.remediation.testdata_test

import rego.v1

# A moderate SAST finding in dev with a known fix: an agent may fix it alone.
candidate := {
	"environment": "dev",
	"autonomy_mode": "supervised_autonomous",
	"severity": "moderate",
	"category": "security",
	"tool_type": "sast",
	"exploitability": "low",
	"fix_available": true,
	"components_touched": ["orders-api"],
	"critical_components": ["payments"],
	"finding_ids": ["fnd_orders_1"],
}

with_changes(changes) := object.union(candidate, changes)

facts(proposals) := {object.remove(proposal, ["message"]) | some proposal in proposals}
