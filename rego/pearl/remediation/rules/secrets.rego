# METADATA
# title: Leaked secrets need rotation by a human
# description: |
#   A leaked secret is not fixed by editing code: the credential must be
#   revoked and rotated, which only its owner can do. Findings from the tool
#   types in data.pearl_data.remediation.secret_tool_types (or categories in
#   secret_categories) need a human.
# custom:
#   severity: critical
#   hint: Revoke and rotate the credential, then purge it from history; an agent may only remove the reference afterwards.
package pearl.remediation.rules.secrets

import rego.v1

outcome contains {
	"outcome": "human_required",
	"code": "secret_rotation",
	"message": "a leaked secret must be rotated by its owner",
	"trigger": "secret_rotation",
} if {
	input.tool_type in data.pearl_data.remediation.secret_tool_types
}

outcome contains {
	"outcome": "human_required",
	"code": "secret_rotation",
	"message": "a leaked secret must be rotated by its owner",
	"trigger": "secret_rotation",
} if {
	input.category in data.pearl_data.remediation.secret_categories
}
