package pearl.lib.reasons_test

import data.pearl.lib.reasons
import rego.v1

test_success_objects_get_their_rule_id if {
	reasons.tagged("gate", "open_findings", {"message": "m", "code": "c"}) == {"rule_id": "gate.rules.open_findings", "message": "m", "code": "c"}
}

test_success_strings_become_messages if {
	reasons.tagged("gate", "x", "plain") == {"rule_id": "gate.rules.x", "message": "plain"}
}

test_fail_other_values_are_dropped if {
	not reasons.tagged("gate", "x", 42)
}
