"""Verifying an audit chain: every kind of tampering is named, with where it starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta

import pytest

from pearl_core.audit.chain import ChainReport, averify_chain, verify_chain
from pearl_core.domain.audit import GENESIS_HASH, AuditEvent, AuditOutcome, seal_event
from pearl_core.domain.enums import PrincipalKind

START = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def chain(length: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    prev_hash = GENESIS_HASH
    for seq in range(1, length + 1):
        event = seal_event(
            event_id=f"evt_{seq}",
            org_id="org_a",
            seq=seq,
            occurred_at=START + timedelta(seconds=seq),
            actor_id="usr_1",
            actor_kind=PrincipalKind.HUMAN,
            action="thing.changed",
            resource_type="thing",
            resource_id=f"t{seq}",
            outcome=AuditOutcome.SUCCESS,
            trace_id="trc_1",
            details={"n": seq},
            prev_hash=prev_hash,
        )
        events.append(event)
        prev_hash = event.hash
    return events


def head_of(events: list[AuditEvent]) -> tuple[int, str]:
    return (events[-1].seq, events[-1].hash) if events else (0, GENESIS_HASH)


def test_an_intact_chain_verifies() -> None:
    events = chain(4)

    assert verify_chain(events, head_of(events)) == ChainReport(ok=True, checked=4)


def test_an_empty_chain_with_the_genesis_head_verifies() -> None:
    assert verify_chain([], (0, GENESIS_HASH)) == ChainReport(ok=True, checked=0)


def test_an_edited_event_is_a_hash_mismatch() -> None:
    events = chain(4)
    head = head_of(events)
    events[1] = events[1].model_copy(update={"resource_id": "forged"})

    assert verify_chain(events, head) == ChainReport(False, 1, 2, "hash_mismatch")


def test_a_deleted_event_is_a_sequence_gap() -> None:
    events = chain(4)
    head = head_of(events)
    del events[2]

    assert verify_chain(events, head) == ChainReport(False, 2, 3, "sequence_gap")


def test_reordered_events_are_a_sequence_gap() -> None:
    events = chain(4)
    head = head_of(events)
    events[1], events[2] = events[2], events[1]

    assert verify_chain(events, head) == ChainReport(False, 1, 2, "sequence_gap")


def test_a_renumbered_event_is_a_broken_link() -> None:
    events = chain(4)
    head = head_of(events)
    # Event 3 removed and event 4 renumbered (and rehashed) to close the gap.
    moved = seal_event(**events[3].model_dump(exclude={"hash"}) | {"seq": 3})
    events = [*events[:2], moved]

    assert verify_chain(events, head) == ChainReport(False, 2, 3, "broken_link")


def test_a_truncated_tail_is_a_head_mismatch() -> None:
    events = chain(4)

    assert verify_chain(events[:2], head_of(events)) == ChainReport(False, 2, 3, "head_mismatch")


def test_a_replaced_last_event_is_a_head_mismatch_at_that_event() -> None:
    events = chain(3)
    head = head_of(events)
    forged = seal_event(**events[2].model_dump(exclude={"hash"}) | {"resource_id": "forged"})

    assert verify_chain([*events[:2], forged], head) == ChainReport(False, 3, 3, "head_mismatch")


def test_events_beyond_the_head_are_a_head_mismatch() -> None:
    events = chain(4)

    assert verify_chain(events, head_of(events[:2])) == ChainReport(False, 4, 3, "head_mismatch")


async def _stream(events: Iterable[AuditEvent]) -> AsyncIterator[AuditEvent]:
    for event in events:
        yield event


@pytest.mark.anyio
async def test_the_async_variant_agrees_with_the_sync_one() -> None:
    events = chain(5)
    head = head_of(events)
    tampered = [*events[:3], events[4]]

    assert await averify_chain(_stream(events), head) == verify_chain(events, head)
    assert await averify_chain(_stream(tampered), head) == verify_chain(tampered, head)
