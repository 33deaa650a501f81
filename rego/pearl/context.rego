# METADATA
# title: Compiled context validation
# description: |
#   Is this compiled context package a faithful merge of its layers? The
#   compiler merges org baseline, app spec and environment profile with
#   environment profile over app spec over org baseline; permissions
#   intersect and prohibitions union, so a lower layer can only narrow what a
#   layer above allows. `decision` is `valid` when no rule under
#   pearl.context.rules finds a violation, else `invalid`. Result:
#     {"decision": "valid|invalid", "reasons": [{"rule_id", "message", "code", ...}]}
#   Input: the package as compiled (CompiledContextPackage JSON; the rules
#   read autonomy_policy, network_requirements and security_requirements)
#   and the layers it came from, each reduced by PeaRL to the fields that
#   grant or prohibit (null or missing: the layer says nothing):
#     {"package": {"autonomy_policy": {"mode": "supervised_autonomous",
#                    "allowed_actions": [...], "blocked_actions": [...],
#                    "approval_required_for": [...]},
#                  "network_requirements": {"outbound_allowlist": [...], "public_egress_forbidden": true},
#                  "security_requirements": {"required_controls": [...], "prohibited_patterns": [...]}, ...},
#      "layers": {"org_baseline": {...}, "app_spec": {...},
#                 "environment_profile": {"autonomy_mode": "supervised_autonomous",
#                   "allowed_actions": [...], "blocked_actions": [...],
#                   "approval_required_for": [...], "outbound_allowlist": null,
#                   "public_egress_forbidden": null, "prohibited_patterns": []}}}
package pearl.context

import data.pearl.lib.reasons
import rego.v1

violations := [reasons.tagged("context", name, violation) | violation := data.pearl.context.rules[name].violation[_]]

default decision := {
	"decision": "invalid",
	"reasons": [{
		"rule_id": "context.rules.permissions_narrowed",
		"message": "the package could not be validated",
		"code": "undecided",
	}],
}

decision := {"decision": "valid", "reasons": []} if count(violations) == 0

decision := {"decision": "invalid", "reasons": violations} if count(violations) > 0
