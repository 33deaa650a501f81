# METADATA
# title: Required evidence present
# description: |
#   Each target environment names the evidence a promotion must bring
#   (data.pearl_data.gate.environments[env].required_evidence: scans, an
#   SBOM, a security review, ...); every item must be in input.evidence.
# custom:
#   severity: high
#   hint: Produce the missing evidence (run the scans, attach the SBOM or review) and try again.
package pearl.gate.rules.required_evidence

import rego.v1

fail contains {
	"code": "missing_evidence",
	"message": sprintf("evidence %v is required for %v", [item, input.target_environment]),
	"evidence": item,
} if {
	some item in data.pearl.gate.profile.required_evidence
	not item in input.evidence
}
