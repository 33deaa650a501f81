"""Decisions: evaluate a policy entrypoint and log it; replay the log against a bundle.

:func:`evaluate` (public as ``pearl_core.evaluate_policy``) is how a decision
is made *and kept*: the engine decides, then a
:class:`~pearl_core.domain.decisions.DecisionRecord` (input masked, input
hash over the unmasked input, bundle hash, data versions, principal, latency,
trace id) is stored in its own short transaction. A decision that cannot be
made raises ``PolicyEvaluationError`` and logs nothing: there is no outcome
to replay, and the caller fails closed. A service that decides inside its own
transaction uses :func:`decision_record` and ``uow.decisions.add``.

:func:`replay` (public as ``pearl_core.replay_decisions``) is impact analysis
before a policy rollout: every logged decision since a time is re-evaluated,
from its stored input, on an engine — a candidate bundle's, or the current
one's to see what has drifted — and compared with what was logged: the
``decision`` value and the set of the reasons' rule ids. Masked fields replay
as ``"***"``, so a rule that reads one may change for that reason alone: such
decisions are flagged ``masked``. Replay writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.decisions import DecisionRecord, InputMask
from pearl_core.domain.identity import Principal
from pearl_core.errors import PolicyEvaluationError
from pearl_core.policy.ports import Decision, PolicyEngine
from pearl_core.ports import UnitOfWork
from pearl_core.trace import current_trace_id
from pearl_core.validation import parse

__all__ = ["ReplayReport", "ReplayedDecision", "decision_record", "evaluate", "replay"]


def decision_record(
    decision: Decision,
    input: Mapping[str, Any],
    *,
    principal: Principal,
    decided_at: datetime,
    mask: InputMask,
    data_versions: Mapping[str, str] | None = None,
) -> DecisionRecord:
    """The log record of ``decision``, made by ``principal`` on ``input``;
    ``validation_failed`` if it cannot be one (a malformed ``data_versions``)."""
    return parse(
        DecisionRecord,
        {
            "decision_id": decision.decision_id,
            "org_id": principal.org_id,
            "entrypoint": decision.entrypoint,
            "decision": decision.decision,
            "reasons": [reason.to_dict() for reason in decision.reasons],
            "result": dict(decision.result),
            "input": mask.apply(input),
            "input_hash": decision.input_hash,
            "bundle_hash": decision.bundle_hash,
            "data_versions": dict(data_versions or {}),
            "principal_id": principal.subject_id,
            "principal_kind": principal.kind,
            "latency_us": decision.latency_us,
            "eval_us": decision.eval_us,
            "decided_at": decided_at,
            "trace_id": current_trace_id(),
        },
    )


async def evaluate(
    uow: UnitOfWork,
    engine: PolicyEngine,
    entrypoint: str,
    input: Mapping[str, Any],
    *,
    clock: Clock,
    mask: InputMask,
    data_versions: Mapping[str, str] | None = None,
) -> DecisionRecord:
    """Decide ``entrypoint`` for ``input`` as the acting principal, and log it.

    The engine runs before the transaction opens, so no database lock is held
    while it evaluates. The log write needs no audit event.
    """
    authorize(uow.principal, Permission.POLICY_READ)
    decision = engine.evaluate(entrypoint, input)
    record = decision_record(
        decision,
        input,
        principal=uow.principal,
        decided_at=clock.now(),
        mask=mask,
        data_versions=data_versions,
    )
    async with uow:
        await uow.decisions.add(record)
        await uow.commit()
    return record


@dataclass(frozen=True, slots=True)
class ReplayedDecision:
    """A logged decision whose replay came out differently.

    ``new_decision`` is ``None`` and ``error`` the error code when the replay
    could not decide at all (the entrypoint is gone, the result broke the
    contract): callers fail closed, so that is a change too.
    """

    decision_id: str
    entrypoint: str
    decided_at: datetime
    old_bundle_hash: str
    old_decision: str
    new_decision: str | None
    added_rules: tuple[str, ...]
    removed_rules: tuple[str, ...]
    masked: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "entrypoint": self.entrypoint,
            "decided_at": self.decided_at.isoformat(),
            "old_bundle_hash": self.old_bundle_hash,
            "old_decision": self.old_decision,
            "new_decision": self.new_decision,
            "added_rules": list(self.added_rules),
            "removed_rules": list(self.removed_rules),
            "masked": self.masked,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What would change: ``unchanged + len(changed) == replayed``."""

    since: datetime
    entrypoint: str | None
    bundle_hash: str
    """The bundle the decisions were replayed against."""
    replayed: int
    unchanged: int
    masked: int
    """Replayed decisions whose stored input had masked fields."""
    changed: tuple[ReplayedDecision, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "entrypoint": self.entrypoint,
            "bundle_hash": self.bundle_hash,
            "replayed": self.replayed,
            "unchanged": self.unchanged,
            "masked": self.masked,
            "changed": [change.to_dict() for change in self.changed],
        }


async def replay(
    uow: UnitOfWork,
    engine: PolicyEngine,
    *,
    since: datetime,
    entrypoint: str | None = None,
    limit: int | None = None,
    batch_size: int = 500,
) -> ReplayReport:
    """Re-evaluate decisions logged since ``since`` (of ``entrypoint``, at most
    ``limit``) on ``engine`` — the current bundle's or a candidate's — and report
    which outcomes change.

    The log is read in pages of ``batch_size``, each in its own short
    transaction of ``uow`` (which is opened once per page), and evaluated
    outside it, so a long replay holds no database lock.
    """
    authorize(uow.principal, Permission.POLICY_READ)
    path = None if entrypoint is None else entrypoint.removeprefix("data.")
    replayed = masked = 0
    changed: list[ReplayedDecision] = []
    cursor: tuple[datetime, str | None] = (since, None)
    while limit is None or replayed < limit:
        size = max(1, batch_size if limit is None else min(batch_size, limit - replayed))
        async with uow.reading():
            page = [
                record
                async for record in uow.decisions.since(
                    cursor[0], entrypoint=path, after_id=cursor[1], limit=size
                )
            ]
        for record in page:
            replayed += 1
            masked += record.input_masked
            change = _replay_one(engine, record)
            if change is not None:
                changed.append(change)
        if len(page) < size:
            break
        cursor = (page[-1].decided_at, page[-1].decision_id)
    return ReplayReport(
        since=since,
        entrypoint=path,
        bundle_hash=engine.bundle_hash,
        replayed=replayed,
        unchanged=replayed - len(changed),
        masked=masked,
        changed=tuple(changed),
    )


def _replay_one(engine: PolicyEngine, record: DecisionRecord) -> ReplayedDecision | None:
    """The change ``engine`` makes to ``record``'s outcome, or None if there is none."""
    try:
        new = engine.evaluate(record.entrypoint, record.input)
    except PolicyEvaluationError as exc:
        return _change(record, None, (), (), error=exc.code)
    new_rules = frozenset(reason.rule_id for reason in new.reasons)
    if new.decision == record.decision and new_rules == record.rule_ids:
        return None
    added = tuple(sorted(new_rules - record.rule_ids))
    return _change(record, new.decision, added, tuple(sorted(record.rule_ids - new_rules)))


def _change(
    record: DecisionRecord,
    new_decision: str | None,
    added: tuple[str, ...],
    removed: tuple[str, ...],
    *,
    error: str | None = None,
) -> ReplayedDecision:
    return ReplayedDecision(
        decision_id=record.decision_id,
        entrypoint=record.entrypoint,
        decided_at=record.decided_at,
        old_bundle_hash=record.bundle_hash,
        old_decision=record.decision,
        new_decision=new_decision,
        added_rules=added,
        removed_rules=removed,
        masked=record.input_masked,
        error=error,
    )
