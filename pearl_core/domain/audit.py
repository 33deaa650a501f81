"""Audit events: one per state change, chained by hash, never edited.

Each org has its own chain. Event ``n`` stores
``hash = sha256(prev_hash || canonical_json(event without hash))`` where
``prev_hash`` is event ``n-1``'s hash (64 zeros for the first). Editing,
deleting or reordering any event breaks every hash after it; the chain head
(last sequence number and hash) is kept beside the log so a truncated tail is
caught too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field
from pydantic_core import to_jsonable_python

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.base import PearlRecord, UtcDatetime
from pearl_core.domain.enums import PrincipalKind
from pearl_core.ids import new_id

if TYPE_CHECKING:
    from pearl_core.domain.identity import Principal

__all__ = ["GENESIS_HASH", "AuditEvent", "AuditOutcome", "next_event", "seal_event"]

GENESIS_HASH = "0" * 64


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class AuditEvent(PearlRecord):
    event_id: Annotated[str, Field(pattern=r"^evt_[A-Za-z0-9_-]+$")]
    org_id: str
    seq: Annotated[int, Field(ge=1)]
    occurred_at: UtcDatetime
    actor_id: str
    actor_kind: PrincipalKind
    action: Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$", max_length=100)]
    """``<resource>.<verb>``, e.g. ``project.created``, ``finding.status_changed``."""
    resource_type: str
    resource_id: str
    outcome: AuditOutcome
    trace_id: str
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    def canonical_body(self) -> bytes:
        """The bytes the hash covers: every field but ``hash``, canonical JSON."""
        return canonical_json(self.model_dump(mode="json", exclude={"hash"}))

    def expected_hash(self) -> str:
        return sha256_hex(self.prev_hash.encode("ascii"), self.canonical_body())


def seal_event(**fields: Any) -> AuditEvent:
    """Build an :class:`AuditEvent` from every field but ``hash``, and hash it."""
    unsealed = AuditEvent(**fields, hash=GENESIS_HASH)
    return unsealed.model_copy(update={"hash": unsealed.expected_hash()})


def next_event(
    *,
    head: tuple[int, str],
    principal: Principal,
    occurred_at: datetime,
    trace_id: str,
    action: str,
    resource_type: str,
    resource_id: str,
    outcome: AuditOutcome,
    details: dict[str, Any] | None,
) -> AuditEvent:
    """The sealed event that follows ``head`` (``(seq, hash)``) in the principal's chain.

    ``details`` are made JSON-safe first, so the event hashes exactly what a
    store reads back.
    """
    seq, prev_hash = head
    return seal_event(
        event_id=new_id("evt"),
        org_id=principal.org_id,
        seq=seq + 1,
        occurred_at=occurred_at.astimezone(UTC),
        actor_id=principal.subject_id,
        actor_kind=principal.kind,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        outcome=outcome,
        trace_id=trace_id,
        details=to_jsonable_python(details or {}),
        prev_hash=prev_hash,
    )
