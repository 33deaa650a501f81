# METADATA
# title: Lower layers only narrow permissions
# description: |
#   Permissions intersect down the layers (org baseline, app spec,
#   environment profile): an action the compiled package allows must be
#   granted by at least one layer and by every layer that lists permissions
#   at all; its autonomy mode may not rank above any layer's mode
#   (data.pearl_data.levels.autonomy); and every outbound host it allows
#   must be on each layer's outbound allow-list, where a layer has one. A
#   layer's field that is missing or null says nothing.
# custom:
#   severity: critical
#   hint: Recompile the context package; a layer may narrow what the layers above it allow, never widen it.
package pearl.context.rules.permissions_narrowed

import data.pearl.lib.levels
import rego.v1

_layers := {name: layer | layer := input.layers[name]; is_object(layer)}

_granting contains name if {
	some name, layer in _layers
	is_array(layer.allowed_actions)
}

violation contains {
	"code": "action_not_granted",
	"message": sprintf("%v is allowed but %v does not grant it", [action, name]),
	"action": action,
	"layer": name,
} if {
	action := input.package.autonomy_policy.allowed_actions[_]
	some name in _granting
	not action in _layers[name].allowed_actions
}

violation contains {
	"code": "action_granted_by_no_layer",
	"message": sprintf("%v is allowed but no layer grants it", [action]),
	"action": action,
} if {
	action := input.package.autonomy_policy.allowed_actions[_]
	count(_granting) == 0
}

violation contains {
	"code": "autonomy_widened",
	"message": sprintf("autonomy mode %v is wider than %v's %v", [mode, name, layer.autonomy_mode]),
	"layer": name,
} if {
	mode := input.package.autonomy_policy.mode
	some name, layer in _layers
	is_string(layer.autonomy_mode)
	not _within(mode, layer.autonomy_mode)
}

violation contains {
	"code": "egress_widened",
	"message": sprintf("outbound host %v is not on %v's allow-list", [host, name]),
	"host": host,
	"layer": name,
} if {
	host := input.package.network_requirements.outbound_allowlist[_]
	some name, layer in _layers
	is_array(layer.outbound_allowlist)
	not host in layer.outbound_allowlist
}

violation contains {"code": "no_package", "message": "the input carries no compiled package"} if {
	not is_object(input.package.autonomy_policy)
}

_within(mode, limit) if levels.autonomy_rank(mode) <= levels.autonomy_rank(limit)
