# METADATA
# title: Reason helpers
# description: |
#   Entrypoints report each rule's objection with its rule id
#   (`<area>.rules.<name>`), taken from the rule's package name, so rules never
#   spell their own id. PeaRL joins title, hint and severity from METADATA.
package pearl.lib.reasons

import rego.v1

tagged(area, name, reason) := object.union(reason, {"rule_id": concat(".", [area, "rules", name])}) if {
	is_object(reason)
}

tagged(area, name, reason) := {"rule_id": concat(".", [area, "rules", name]), "message": reason} if {
	is_string(reason)
}
