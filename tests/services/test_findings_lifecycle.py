"""Moving a finding through its lifecycle: who may, with which reason, and the audit trail.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

import pytest
from ingest_helpers import PROJECT, audit_events, findings, ingest, seed
from reports import HITS, ORG, semgrep

from pearl_core import (
    Finding,
    FindingStatus,
    NotFound,
    PearlError,
    change_finding_status,
    get_finding,
)
from pearl_core.domain.enums import Role
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import FakeClock, make_agent, make_human_reviewer, make_principal

pytestmark = pytest.mark.anyio

REVIEWER = make_human_reviewer(org_id=ORG)
AGENT = make_agent(org_id=ORG)
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})


@pytest.fixture
async def store(any_store: UnitOfWorkFactory, clock: FakeClock) -> UnitOfWorkFactory:
    await seed(any_store)
    await ingest(any_store, semgrep(*HITS), clock=clock)
    return any_store


async def first(store: UnitOfWorkFactory) -> Finding:
    return (await findings(store, project_id=PROJECT))[0]


async def test_an_agent_cannot_mark_a_finding_false_positive(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)

    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            store.unit_of_work(AGENT),
            finding.finding_id,
            FindingStatus.FALSE_POSITIVE,
            reason="looks fine to me",
            clock=clock,
        )

    assert caught.value.code == "human_required"
    assert (await first(store)).status is FindingStatus.OPEN


async def test_a_reviewer_marks_a_finding_false_positive_with_a_reason(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)

    changed = await change_finding_status(
        store.unit_of_work(REVIEWER),
        finding.finding_id,
        FindingStatus.FALSE_POSITIVE,
        reason="input is a constant",
        clock=clock,
    )

    stored = await get_finding(store.unit_of_work(OPERATOR), finding.finding_id)
    assert stored == changed
    assert (stored.status, stored.status_reason) == (
        FindingStatus.FALSE_POSITIVE,
        "input is a constant",
    )
    assert stored.updated_at == clock.now()
    last = (await audit_events(store))[-1]
    assert (last.action, last.resource_id, last.actor_id) == (
        "finding.status_changed",
        finding.finding_id,
        REVIEWER.subject_id,
    )
    assert last.details == {"from": "open", "to": "false_positive", "reason": "input is a constant"}


@pytest.mark.parametrize("reason", [None, "   "])
async def test_disposing_of_a_finding_needs_a_reason(
    store: UnitOfWorkFactory, clock: FakeClock, reason: str | None
) -> None:
    finding = await first(store)

    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            store.unit_of_work(REVIEWER),
            finding.finding_id,
            FindingStatus.ACCEPTED_RISK,
            reason=reason,
            clock=clock,
        )

    assert caught.value.code == "reason_required"


async def test_an_operator_without_the_reviewer_role_cannot_accept_a_risk(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)

    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            store.unit_of_work(OPERATOR),
            finding.finding_id,
            FindingStatus.ACCEPTED_RISK,
            reason="deadline",
            clock=clock,
        )

    assert caught.value.code == "forbidden"


async def test_an_agent_starts_work_and_submits_a_fix_but_cannot_verify_it(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)
    agent = store.unit_of_work(AGENT)

    await change_finding_status(
        agent, finding.finding_id, FindingStatus.IN_PROGRESS, reason=None, clock=clock
    )
    await change_finding_status(
        agent, finding.finding_id, FindingStatus.FIX_SUBMITTED, reason="commit abc123", clock=clock
    )
    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            agent, finding.finding_id, FindingStatus.FIXED_VERIFIED, reason="trust me", clock=clock
        )

    assert caught.value.code == "forbidden"
    assert (await first(store)).status is FindingStatus.FIX_SUBMITTED


async def test_a_move_the_lifecycle_does_not_have_is_an_invalid_transition(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)

    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            store.unit_of_work(OPERATOR),
            finding.finding_id,
            FindingStatus.FIX_SUBMITTED,
            reason=None,
            clock=clock,
        )

    assert caught.value.code == "invalid_transition"


async def test_an_overlong_reason_is_validation_failed_and_changes_nothing(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)

    with pytest.raises(PearlError) as caught:
        await change_finding_status(
            store.unit_of_work(REVIEWER),
            finding.finding_id,
            FindingStatus.NOT_AFFECTED,
            reason="x" * 2001,
            clock=clock,
        )

    assert caught.value.code == "validation_failed"
    assert (await first(store)).status is FindingStatus.OPEN


async def test_a_finding_of_another_org_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    finding = await first(store)
    stranger = make_human_reviewer(org_id="org_stranger")

    with pytest.raises(NotFound) as caught:
        await get_finding(store.unit_of_work(stranger), finding.finding_id)
    with pytest.raises(NotFound):
        await change_finding_status(
            store.unit_of_work(stranger),
            finding.finding_id,
            FindingStatus.FALSE_POSITIVE,
            reason="not ours",
            clock=clock,
        )

    assert caught.value.code == "not_found"
