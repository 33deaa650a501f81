"""Approvals through the service layer on every store: gated actions, single use,
exact binding, who may decide, expiry, and concurrent decisions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from loop_helpers import (
    AGENT,
    APPROVAL_TTL,
    LEASE,
    MASK,
    OPERATOR,
    OWNER,
    REVIEWER,
    SECOND_REVIEWER,
    Loop,
    guard_engine,
    make_loop,
)

from pearl_core import PearlError, RegorusEngine
from pearl_core.domain.enums import ApprovalStatus, Role
from pearl_core.domain.governance import ApprovalRequest
from pearl_core.domain.identity import Principal
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.services.approvals import (
    ApprovalView,
    decide_approval,
    get_approval,
    request_approval,
)
from pearl_core.services.packets import claim_task_packet, release_task_packet
from pearl_core.testing import FakeClock, make_principal

pytestmark = pytest.mark.anyio
__all__ = ["guard_engine"]

PUSH = {"type": "git_push", "command": "git push origin fix/shell-true"}


@pytest.fixture
async def loop(any_store: UnitOfWorkFactory, clock: FakeClock, guard_engine: RegorusEngine) -> Loop:
    made = await make_loop(any_store, clock, guard_engine)
    await claim_task_packet(
        any_store.unit_of_work(AGENT), made.packet_id, clock=clock, lease_ttl=LEASE
    )
    return made


async def ask(
    loop: Loop, action: dict[str, object] = PUSH, who: Principal = AGENT
) -> ApprovalRequest:
    return await request_approval(
        loop.store.unit_of_work(who),
        loop.engine,
        loop.packet_id,
        action,
        clock=loop.clock,
        mask=MASK,
        ttl=APPROVAL_TTL,
    )


async def decide(
    loop: Loop, request: ApprovalRequest, who: Principal = REVIEWER, decision: str = "approve"
) -> ApprovalView:
    return await decide_approval(
        loop.store.unit_of_work(who),
        request.approval_request_id,
        decision,  # type: ignore[arg-type]
        reason="reviewed the push target",
        clock=loop.clock,
    )


async def test_a_gated_action_is_allowed_exactly_once_after_approval(loop: Loop) -> None:
    assert (await loop.check(PUSH)).decision == "needs_approval"
    request = await ask(loop)
    loop.clock.advance(30)
    view = await decide(loop, request)

    first = await loop.check(PUSH)
    second = await loop.check(PUSH)

    assert view.decision is not None
    assert view.decision.decided_at == loop.clock.now()
    assert view.decision.decided_by == REVIEWER.subject_id
    assert (first.decision, first.approval_request_id) == ("allow", request.approval_request_id)
    assert second.decision == "needs_approval"
    stored = await get_approval(loop.store.unit_of_work(OPERATOR), request.approval_request_id)
    assert stored.request.consumed_at is not None


async def test_an_approval_does_not_cover_a_changed_parameter(loop: Loop) -> None:
    request = await ask(loop)
    await decide(loop, request)

    changed = await loop.check({**PUSH, "command": "git push origin main"})

    assert changed.decision == "needs_approval"
    assert (await loop.check(PUSH)).decision == "allow"


async def test_asking_twice_for_the_same_action_returns_the_pending_request(loop: Loop) -> None:
    assert (await ask(loop)).approval_request_id == (await ask(loop)).approval_request_id


async def test_an_action_that_needs_no_approval_cannot_be_submitted(loop: Loop) -> None:
    with pytest.raises(PearlError) as caught:
        await ask(loop, {"type": "file_write", "path": "app/run.py"})

    assert caught.value.code == "invalid_transition"


async def test_a_rejected_request_allows_nothing(loop: Loop) -> None:
    request = await ask(loop)
    await decide(loop, request, decision="reject")

    assert (await loop.check(PUSH)).decision == "needs_approval"


async def test_the_agent_cannot_decide_its_own_request(loop: Loop) -> None:
    request = await ask(loop)

    with pytest.raises(PearlError) as caught:
        await decide(loop, request, who=AGENT)

    assert caught.value.code in {"forbidden", "human_required"}


async def test_the_owner_of_the_requesting_agent_cannot_decide_it(loop: Loop) -> None:
    request = await ask(loop)

    with pytest.raises(PearlError) as caught:
        await decide(loop, request, who=OWNER)

    assert caught.value.code == "requester_cannot_decide"


async def test_a_human_requester_cannot_decide_their_own_request(loop: Loop) -> None:
    human = make_principal(org_id=AGENT.org_id, roles={Role.OPERATOR, Role.REVIEWER})
    async with loop.store.unit_of_work(OPERATOR) as uow:
        packet = await uow.task_packets.get(loop.packet_id)
    # the agent gives the packet to the human, who asks for the push

    await release_task_packet(
        loop.store.unit_of_work(AGENT), packet.task_packet_id, clock=loop.clock
    )
    await claim_task_packet(
        loop.store.unit_of_work(human), loop.packet_id, clock=loop.clock, lease_ttl=LEASE
    )
    request = await ask(loop, who=human)

    with pytest.raises(PearlError) as caught:
        await decide(loop, request, who=human)

    assert caught.value.code == "requester_cannot_decide"


async def test_an_operator_without_the_reviewer_role_cannot_decide(loop: Loop) -> None:
    request = await ask(loop)

    with pytest.raises(PearlError) as caught:
        await decide(loop, request, who=OPERATOR)

    assert caught.value.code == "forbidden"


async def test_deciding_a_decided_request_is_an_invalid_transition(loop: Loop) -> None:
    request = await ask(loop)
    await decide(loop, request)

    with pytest.raises(PearlError) as caught:
        await decide(loop, request, who=SECOND_REVIEWER, decision="reject")

    assert caught.value.code == "invalid_transition"


async def test_an_expired_request_cannot_be_decided(loop: Loop) -> None:
    request = await ask(loop)
    loop.clock.advance((APPROVAL_TTL + timedelta(seconds=1)).total_seconds())

    with pytest.raises(PearlError) as caught:
        await decide(loop, request)

    assert caught.value.code == "invalid_transition"
    stored = await get_approval(loop.store.unit_of_work(OPERATOR), request.approval_request_id)
    assert stored.request.status is ApprovalStatus.EXPIRED


async def test_two_concurrent_decisions_have_exactly_one_winner(loop: Loop) -> None:
    request = await ask(loop)

    outcomes = await asyncio.gather(
        decide(loop, request, who=REVIEWER, decision="approve"),
        decide(loop, request, who=SECOND_REVIEWER, decision="reject"),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if isinstance(o, ApprovalView)]
    losers = [o for o in outcomes if isinstance(o, PearlError)]
    assert (len(winners), [e.code for e in losers]) == (1, ["invalid_transition"])
    stored = await get_approval(loop.store.unit_of_work(OPERATOR), request.approval_request_id)
    assert stored.decision == winners[0].decision
