"""The lifecycle tables: who may move what, and the typed refusals for everything else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pearl_core.domain.enums import (
    ApprovalStatus,
    ExceptionStatus,
    FindingStatus,
    PrincipalKind,
    PromotionStatus,
    Role,
    TaskPacketStatus,
)
from pearl_core.domain.identity import HUMAN_ONLY_ROLES, Principal
from pearl_core.domain.lifecycle import (
    APPROVAL_LIFECYCLE,
    DISPOSITIONED_FINDING_STATUSES,
    EXCEPTION_LIFECYCLE,
    FINDING_LIFECYCLE,
    MACHINES,
    OPEN_FINDING_STATUSES,
    PROMOTION_LIFECYCLE,
    RESOLVED_FINDING_STATUSES,
    TASK_PACKET_LIFECYCLE,
    StateMachine,
    Transition,
)
from pearl_core.errors import (
    Forbidden,
    HumanRequired,
    InvalidTransition,
    PearlError,
    ReasonRequired,
)

F, A, E, T, P = FindingStatus, ApprovalStatus, ExceptionStatus, TaskPacketStatus, PromotionStatus
ALL_MACHINES = list(MACHINES.values())
MACHINE_IDS = list(MACHINES)


def principal(kind: PrincipalKind, *roles: Role) -> Principal:
    return Principal(
        org_id="org_test", subject_id=f"{kind}:tester", kind=kind, roles=frozenset(roles)
    )


def human(*roles: Role) -> Principal:
    return principal(PrincipalKind.HUMAN, *roles)


SYSTEM = Principal.system("org_test")
AGENT = principal(PrincipalKind.SERVICE_ACCOUNT, Role.SERVICE_ACCOUNT)
#: The most a non-human can hold: an agent or CI job that was also made an operator.
STRONGEST_AGENT = principal(
    PrincipalKind.SERVICE_ACCOUNT, Role.SERVICE_ACCOUNT, Role.OPERATOR, Role.VIEWER
)
REVIEWER = human(Role.REVIEWER)
OPERATOR = human(Role.OPERATOR)
ADMIN = human(Role.ADMIN)
KNOWN_PRINCIPALS = [SYSTEM, AGENT, STRONGEST_AGENT, REVIEWER, OPERATOR, ADMIN]


def _build_principal(kind: PrincipalKind, roles: frozenset[Role]) -> Principal:
    if kind is not PrincipalKind.HUMAN:
        roles = roles - HUMAN_ONLY_ROLES
    return principal(kind, *roles)


principals = st.builds(
    _build_principal, st.sampled_from(PrincipalKind), st.frozensets(st.sampled_from(Role))
)
reasons = st.one_of(
    st.none(), st.sampled_from(["", "   ", "\t\n", "absent_from_rescan"]), st.text(max_size=12)
)


def expected_refusal(
    machine: StateMachine[Any], source: Any, target: Any, who: Principal, reason: str | None
) -> type[PearlError] | None:
    """An independent reading of the table: the error ``check`` must raise, or None."""
    rows = [t for t in machine.transitions if (t.source, t.target) == (source, target)]
    if not rows:
        return InvalidTransition
    (row,) = rows
    if who.kind not in row.actor_kinds:
        return HumanRequired if row.actor_kinds == {PrincipalKind.HUMAN} else Forbidden
    is_admin = who.kind is PrincipalKind.HUMAN and Role.ADMIN in who.roles
    if not (is_admin or who.roles & row.allowed_roles):
        return Forbidden
    if row.requires_reason and not (reason and reason.strip()):
        return ReasonRequired
    return None


def reachable(machine: StateMachine[Any]) -> set[Any]:
    seen, frontier = {machine.initial}, [machine.initial]
    while frontier:
        state = frontier.pop()
        for row in machine.transitions:
            if row.source == state and row.target not in seen:
                seen.add(row.target)
                frontier.append(row.target)
    return seen


# -- properties over random walks ------------------------------------------------------------


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=MACHINE_IDS)
@given(data=st.data())
def test_random_walks_take_only_permitted_table_moves_and_refuse_with_typed_errors(
    machine: StateMachine[Any], data: st.DataObject
) -> None:
    in_table = reachable(machine)
    state = machine.initial
    for _ in range(data.draw(st.integers(min_value=1, max_value=40), label="steps")):
        offered = sorted(machine.allowed_targets(state))
        any_state = st.sampled_from(sorted(machine.states))
        target = data.draw(st.one_of(st.sampled_from(offered), any_state) if offered else any_state)
        who = data.draw(st.one_of(st.sampled_from(KNOWN_PRINCIPALS), principals))
        reason = data.draw(reasons)
        expected = expected_refusal(machine, state, target, who, reason)
        assert machine.can(state, target, who) is (expected in (None, ReasonRequired))
        if expected is not None:
            with pytest.raises(expected) as refused:
                machine.check(state, target, who, reason=reason)
            assert type(refused.value) is expected
            details = refused.value.details
            assert (details["machine"], details["source"], details["target"]) == (
                machine.name,
                state,
                target,
            )
            continue
        row = machine.check(state, target, who, reason=reason)
        assert row in machine.transitions
        assert (row.source, row.target) == (state, target)
        assert who.kind in row.actor_kinds
        state = target
        assert state in in_table
        if state in machine.terminal:
            assert machine.allowed_targets(state) == frozenset()


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=MACHINE_IDS)
@given(source=st.data(), who=principals)
def test_allowed_targets_for_a_principal_are_exactly_the_moves_it_can_make(
    machine: StateMachine[Any], source: st.DataObject, who: Principal
) -> None:
    state = source.draw(st.sampled_from(sorted(machine.states)))
    offered = machine.allowed_targets(state, who)
    assert offered <= machine.allowed_targets(state)
    assert offered == {t for t in machine.states if machine.can(state, t, who)}


# -- table sanity -------------------------------------------------------------------------------


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=MACHINE_IDS)
def test_every_status_of_each_lifecycle_is_reachable_from_its_initial_state(
    machine: StateMachine[Any],
) -> None:
    status_enum: type[StrEnum] = type(machine.initial)
    every_status = set(status_enum)
    assert machine.states == every_status
    assert reachable(machine) == every_status


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=MACHINE_IDS)
def test_exactly_the_terminal_states_have_no_way_out(machine: StateMachine[Any]) -> None:
    dead_ends = {s for s in machine.states if not machine.allowed_targets(s)}
    assert dead_ends == machine.terminal
    assert machine.initial not in machine.terminal


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=MACHINE_IDS)
def test_every_move_is_listed_once_and_none_stays_put(machine: StateMachine[Any]) -> None:
    pairs = [(t.source, t.target) for t in machine.transitions]
    assert len(pairs) == len(set(pairs))
    assert all(source != target for source, target in pairs)


AGENT_NEVER_REACHES: list[tuple[StateMachine[Any], Iterable[Any]]] = [
    (FINDING_LIFECYCLE, RESOLVED_FINDING_STATUSES),
    (APPROVAL_LIFECYCLE, [A.APPROVED, A.REJECTED, A.EXPIRED]),
    (EXCEPTION_LIFECYCLE, [E.ACTIVE, E.REJECTED, E.EXPIRED]),
    (TASK_PACKET_LIFECYCLE, [T.VERIFIED, T.REJECTED, T.EXPIRED, T.CANCELLED]),
    (PROMOTION_LIFECYCLE, [P.GATE_PASSED, P.APPROVED, P.REJECTED, P.PROMOTED]),
]


@pytest.mark.parametrize(("machine", "targets"), AGENT_NEVER_REACHES, ids=MACHINE_IDS)
def test_no_service_account_can_close_findings_or_decide_governance(
    machine: StateMachine[Any], targets: Iterable[Any]
) -> None:
    targets = set(targets)
    for row in machine.transitions:
        if row.target in targets:
            assert PrincipalKind.SERVICE_ACCOUNT not in row.actor_kinds, row
    for source in machine.states:
        for target in targets:
            assert not machine.can(source, target, STRONGEST_AGENT)


def test_service_accounts_only_start_work_on_findings_and_submit_fixes() -> None:
    agent_moves = {
        (t.source, t.target)
        for t in FINDING_LIFECYCLE.transitions
        if FINDING_LIFECYCLE.can(t.source, t.target, STRONGEST_AGENT)
    }
    assert agent_moves == {
        (F.OPEN, F.IN_PROGRESS),
        (F.TRIAGED, F.IN_PROGRESS),
        (F.REOPENED, F.IN_PROGRESS),
        (F.IN_PROGRESS, F.FIX_SUBMITTED),
    }


def test_finding_status_sets_split_every_status_into_open_or_resolved() -> None:
    assert set(FindingStatus) == OPEN_FINDING_STATUSES | RESOLVED_FINDING_STATUSES
    assert not OPEN_FINDING_STATUSES & RESOLVED_FINDING_STATUSES
    assert {F.FIXED_VERIFIED} == RESOLVED_FINDING_STATUSES - DISPOSITIONED_FINDING_STATUSES


def test_machines_are_registered_under_the_name_their_errors_carry() -> None:
    assert set(MACHINES) == {"finding", "approval", "exception", "task_packet", "promotion"}
    assert all(machine.name == name for name, machine in MACHINES.items())


# -- each refusal, by example --------------------------------------------------------------------


def test_self_transition_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidTransition) as info:
        FINDING_LIFECYCLE.check(F.OPEN, F.OPEN, REVIEWER)
    assert info.value.code == "invalid_transition"
    assert info.value.details == {"machine": "finding", "source": "open", "target": "open"}


def test_decided_approval_cannot_be_decided_again() -> None:
    with pytest.raises(InvalidTransition) as info:
        APPROVAL_LIFECYCLE.check(A.APPROVED, A.REJECTED, REVIEWER, reason="changed my mind")
    assert info.value.code == "invalid_transition"


def test_service_account_cannot_mark_finding_false_positive() -> None:
    with pytest.raises(HumanRequired) as info:
        FINDING_LIFECYCLE.check(F.TRIAGED, F.FALSE_POSITIVE, AGENT, reason="looks fine to me")
    assert info.value.code == "human_required"
    assert info.value.details["kind"] == "service_account"


def test_system_cannot_approve_an_approval() -> None:
    with pytest.raises(HumanRequired) as info:
        APPROVAL_LIFECYCLE.check(A.PENDING, A.APPROVED, SYSTEM)
    assert info.value.code == "human_required"


def test_operator_without_reviewer_role_cannot_accept_risk() -> None:
    with pytest.raises(Forbidden) as info:
        FINDING_LIFECYCLE.check(F.OPEN, F.ACCEPTED_RISK, OPERATOR, reason="compensating control")
    assert info.value.code == "forbidden"
    assert info.value.details["required_roles"] == ["reviewer"]


def test_human_cannot_expire_an_approval_only_the_system_can() -> None:
    with pytest.raises(Forbidden) as info:
        APPROVAL_LIFECYCLE.check(A.PENDING, A.EXPIRED, ADMIN)
    assert type(info.value) is Forbidden
    assert info.value.details["allowed_kinds"] == ["system"]
    assert APPROVAL_LIFECYCLE.check(A.PENDING, A.EXPIRED, SYSTEM).target is A.EXPIRED


def test_agent_cannot_verify_its_own_task_packet() -> None:
    assert TASK_PACKET_LIFECYCLE.check(T.AVAILABLE, T.CLAIMED, AGENT).target is T.CLAIMED
    assert TASK_PACKET_LIFECYCLE.check(T.CLAIMED, T.SUBMITTED, AGENT).target is T.SUBMITTED
    with pytest.raises(Forbidden) as info:
        TASK_PACKET_LIFECYCLE.check(T.SUBMITTED, T.VERIFIED, STRONGEST_AGENT)
    assert info.value.code == "forbidden"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejecting_an_approval_needs_a_non_blank_reason(reason: str | None) -> None:
    with pytest.raises(ReasonRequired) as info:
        APPROVAL_LIFECYCLE.check(A.PENDING, A.REJECTED, REVIEWER, reason=reason)
    assert info.value.code == "reason_required"
    assert APPROVAL_LIFECYCLE.can(A.PENDING, A.REJECTED, REVIEWER)


def test_admin_passes_every_human_role_check() -> None:
    row = FINDING_LIFECYCLE.check(F.OPEN, F.ACCEPTED_RISK, ADMIN, reason="vendor patch due Q3")
    assert row.requires_reason
    assert EXCEPTION_LIFECYCLE.check(E.ACTIVE, E.REVOKED, ADMIN, reason="incident").target is (
        E.REVOKED
    )


def test_rescan_verifies_a_missing_finding_fixed_and_reopens_it_when_it_returns() -> None:
    why = "absent_from_rescan"
    assert FINDING_LIFECYCLE.check(F.IN_PROGRESS, F.FIXED_VERIFIED, SYSTEM, reason=why)
    assert FINDING_LIFECYCLE.check(F.FIXED_VERIFIED, F.REOPENED, SYSTEM, reason="seen_again")
    assert FINDING_LIFECYCLE.check(F.FIX_SUBMITTED, F.REOPENED, SYSTEM, reason="still_present")


def test_a_dispositioned_finding_is_never_reopened_by_a_scan_only_by_a_reviewer() -> None:
    for status in DISPOSITIONED_FINDING_STATUSES:
        assert FINDING_LIFECYCLE.allowed_targets(status) == {F.OPEN}
        assert not FINDING_LIFECYCLE.can(status, F.OPEN, SYSTEM)
        assert FINDING_LIFECYCLE.check(status, F.OPEN, REVIEWER, reason="new evidence")


def test_promotion_needs_a_human_approval_between_gate_and_promote() -> None:
    assert PROMOTION_LIFECYCLE.allowed_targets(P.GATE_PASSED, SYSTEM) == frozenset()
    assert PROMOTION_LIFECYCLE.allowed_targets(P.GATE_PASSED, REVIEWER) == {P.APPROVED, P.REJECTED}
    assert PROMOTION_LIFECYCLE.check(P.APPROVED, P.PROMOTED, SYSTEM).target is P.PROMOTED


def test_refusals_carry_json_safe_details() -> None:
    with pytest.raises(Forbidden) as info:
        EXCEPTION_LIFECYCLE.check(E.PENDING, E.ACTIVE, OPERATOR, reason="ok")
    body = json.loads(json.dumps(info.value.to_dict()))
    assert body["code"] == "forbidden"
    assert body["details"]["machine"] == "exception"


@pytest.mark.parametrize(
    "rows",
    [
        (Transition(F.OPEN, F.OPEN, frozenset({Role.OPERATOR}), frozenset({PrincipalKind.HUMAN})),),
        (
            Transition(
                F.OPEN, F.TRIAGED, frozenset({Role.OPERATOR}), frozenset({PrincipalKind.HUMAN})
            ),
        )
        * 2,
        (Transition(F.FIXED_VERIFIED, F.OPEN, frozenset({Role.ADMIN}), frozenset()),),
        (Transition(F.SUPPRESSED, F.OPEN, frozenset(), frozenset({PrincipalKind.HUMAN})),),
    ],
    ids=["self", "duplicate", "no-kinds", "no-roles"],
)
def test_a_malformed_table_is_refused_when_built(
    rows: tuple[Transition[FindingStatus], ...],
) -> None:
    with pytest.raises(ValueError, match="malformed lifecycle"):
        StateMachine(name="finding", initial=F.OPEN, terminal=frozenset(), transitions=rows)


def test_a_terminal_state_with_a_way_out_is_refused_when_built() -> None:
    row = Transition(
        A.APPROVED, A.PENDING, frozenset({Role.ADMIN}), frozenset({PrincipalKind.HUMAN})
    )
    with pytest.raises(ValueError, match="malformed lifecycle"):
        StateMachine(
            name="approval",
            initial=A.PENDING,
            terminal=frozenset({A.APPROVED}),
            transitions=(row,),
        )
