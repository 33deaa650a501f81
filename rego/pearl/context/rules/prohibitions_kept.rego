# METADATA
# title: Prohibitions survive compilation
# description: |
#   Prohibitions union down the layers: every action any layer blocks is in
#   the compiled package's blocked_actions and not in its allowed_actions;
#   every action any layer requires approval for stays in
#   approval_required_for; every prohibited pattern stays in
#   security_requirements.prohibited_patterns; and if any layer forbids
#   public egress, so does the package.
# custom:
#   severity: critical
#   hint: Recompile the context package; a lower layer cannot lift a prohibition set above it.
package pearl.context.rules.prohibitions_kept

import rego.v1

_package := input.package

violation contains {
	"code": "blocked_action_dropped",
	"message": sprintf("%v blocks %v but the package does not", [name, action]),
	"action": action,
	"layer": name,
} if {
	layer := input.layers[name]
	some action in layer.blocked_actions
	not action in _package.autonomy_policy.blocked_actions
}

violation contains {
	"code": "blocked_action_allowed",
	"message": sprintf("%v blocks %v but the package allows it", [name, action]),
	"action": action,
	"layer": name,
} if {
	layer := input.layers[name]
	some action in layer.blocked_actions
	action in _package.autonomy_policy.allowed_actions
}

violation contains {
	"code": "approval_dropped",
	"message": sprintf("%v requires approval for %v but the package does not", [name, action]),
	"action": action,
	"layer": name,
} if {
	layer := input.layers[name]
	some action in layer.approval_required_for
	not action in _package.autonomy_policy.approval_required_for
}

violation contains {
	"code": "prohibited_pattern_dropped",
	"message": sprintf("%v prohibits %v but the package does not", [name, pattern]),
	"pattern": pattern,
	"layer": name,
} if {
	layer := input.layers[name]
	some pattern in layer.prohibited_patterns
	not pattern in _package.security_requirements.prohibited_patterns
}

violation contains {
	"code": "public_egress_allowed",
	"message": sprintf("%v forbids public egress but the package does not", [name]),
	"layer": name,
} if {
	layer := input.layers[name]
	layer.public_egress_forbidden == true
	not _package.network_requirements.public_egress_forbidden == true
}
