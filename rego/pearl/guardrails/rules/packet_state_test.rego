package pearl.guardrails.rules.packet_state_test

import data.pearl.guardrails.rules.packet_state as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

_edit := {"type": "code_edit", "paths": ["src/orders/a.py"]}

test_success_lease_holder_acts_on_claimed_packet if {
	count(rule.deny) == 0 with input as t.input_for(_edit)
}

test_success_packet_without_expiry_is_fine if {
	count(rule.deny) == 0 with input as t.changed(_edit, {"packet": {"expires_at": null}})
}

test_fail_packet_not_claimed if {
	t.facts(rule.deny) == {{"code": "packet_not_claimed"}} with input as t.changed(_edit, {"packet": {"status": "available"}})
}

test_fail_other_principal_holds_the_lease if {
	t.facts(rule.deny) == {{"code": "lease_held_by_another"}} with input as t.changed(_edit, {"principal": {"subject_id": "sa_other"}})
}

test_fail_no_principal_never_matches_the_lease if {
	t.facts(rule.deny) == {{"code": "lease_held_by_another"}} with input as object.remove(t.input_for(_edit), ["principal"])
}

test_fail_empty_holder_matches_nobody if {
	inp := t.changed(_edit, {"principal": {"subject_id": ""}, "packet": {"lease": {"holder_id": ""}}})
	t.facts(rule.deny) == {{"code": "lease_held_by_another"}} with input as inp
}

test_fail_lease_expired if {
	t.facts(rule.deny) == {{"code": "lease_expired"}} with input as t.changed(_edit, {"now": "2025-06-01T13:00:00Z"})
}

test_fail_lease_expiry_compared_across_time_zones if {
	inp := t.changed(_edit, {"packet": {"lease": {"expires_at": "2025-06-01T13:30:00+02:00"}}})
	t.facts(rule.deny) == {{"code": "lease_expired"}} with input as inp
}

test_fail_packet_expired if {
	inp := t.changed(_edit, {"packet": {"expires_at": "2025-06-01T11:00:00Z"}})
	t.facts(rule.deny) == {{"code": "packet_expired", "expires_at": "2025-06-01T11:00:00Z"}} with input as inp
}

test_fail_missing_now_expires_everything if {
	inp := object.remove(t.input_for(_edit), ["now"])
	t.facts(rule.deny) == {
		{"code": "lease_expired"},
		{"code": "packet_expired", "expires_at": "2025-06-02T00:00:00Z"},
	} with input as inp
}

test_fail_too_many_denied_attempts if {
	t.facts(rule.deny) == {{"code": "too_many_denials", "denied_attempts": 5}} with input as t.changed(_edit, {"packet": {"denied_attempts": 5}})
}

test_success_denial_limit_comes_from_data if {
	count(rule.deny) == 0 with input as t.changed(_edit, {"packet": {"denied_attempts": 5}})
		with data.pearl_data.guardrails.packet.max_denied_attempts as 10
}

test_fail_no_packet_or_no_lease if {
	t.facts(rule.deny) == {
		{"code": "packet_not_claimed"},
		{"code": "lease_held_by_another"},
		{"code": "lease_expired"},
	} with input as object.remove(t.input_for(_edit), ["packet"])
	t.facts(rule.deny) == {{"code": "lease_held_by_another"}, {"code": "lease_expired"}} with input as t.changed(_edit, {"packet": {"lease": null}})
}
