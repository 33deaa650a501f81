"""Verifying an org's audit chain.

Pure functions over events read in sequence order (no I/O of their own), so
the same check runs on the SQL store, the in-memory fake, or an exported file.
Walking from the genesis hash, each event must

1. carry the next sequence number (``sequence_gap``: a deleted or reordered
   event, or events passed out of order),
2. link to the previous event's hash (``broken_link``: an event removed or
   moved and renumbered),
3. hash to the value it stores (``hash_mismatch``: an edited event),

and the last event must equal the head recorded beside the log
(``head_mismatch``: a truncated tail, a replaced last event, or a moved head).

The chain makes edits *evident*; someone who can rewrite the table and the
head together can rehash a whole suffix. Exporting the head elsewhere from
time to time closes that gap.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from typing import Literal

from pearl_core.domain.audit import GENESIS_HASH, AuditEvent

__all__ = ["BreakReason", "ChainReport", "averify_chain", "verify_chain"]

BreakReason = Literal["hash_mismatch", "broken_link", "sequence_gap", "head_mismatch"]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of a verification.

    ``checked`` counts the events that verified before the first break;
    ``first_broken_seq`` is the sequence number where the chain stops being
    trustworthy (for ``head_mismatch``, the first seq past the last good event).
    """

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: BreakReason | None = None


class _Walker:
    """The state of one walk along the chain."""

    __slots__ = ("checked", "last_hash", "last_seq")

    def __init__(self) -> None:
        self.checked = 0
        self.last_seq = 0
        self.last_hash = GENESIS_HASH

    def step(self, event: AuditEvent) -> ChainReport | None:
        expected_seq = self.last_seq + 1
        reason: BreakReason | None = None
        if event.seq != expected_seq:
            reason = "sequence_gap"
        elif event.prev_hash != self.last_hash:
            reason = "broken_link"
        elif event.expected_hash() != event.hash:
            reason = "hash_mismatch"
        if reason is not None:
            return ChainReport(False, self.checked, expected_seq, reason)
        self.checked += 1
        self.last_seq = event.seq
        self.last_hash = event.hash
        return None

    def finish(self, head: tuple[int, str]) -> ChainReport:
        head_seq, head_hash = head
        if (self.last_seq, self.last_hash) == (head_seq, head_hash):
            return ChainReport(True, self.checked)
        # Same length but another hash: the last event was replaced (rehashed).
        # Otherwise the chain is shorter (truncated) or longer than its head.
        broken = self.last_seq if head_seq == self.last_seq else min(head_seq, self.last_seq) + 1
        return ChainReport(False, self.checked, max(broken, 1), "head_mismatch")


def verify_chain(events: Iterable[AuditEvent], head: tuple[int, str]) -> ChainReport:
    """Check ``events`` (the whole chain, seq 1 first) against the recorded ``head``."""
    walker = _Walker()
    for event in events:
        broken = walker.step(event)
        if broken is not None:
            return broken
    return walker.finish(head)


async def averify_chain(events: AsyncIterable[AuditEvent], head: tuple[int, str]) -> ChainReport:
    """:func:`verify_chain` over an async stream, e.g. ``uow.audit.events()``."""
    walker = _Walker()
    try:
        async for event in events:
            broken = walker.step(event)
            if broken is not None:
                return broken
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    return walker.finish(head)
