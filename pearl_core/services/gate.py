"""The promotion gate, now: may this project environment be promoted as it stands?

:func:`gate_status` computes the *lean facts* ``pearl.gate.decision`` reads
(see the METADATA of ``rego/pearl/gate.rego``) from the store, evaluates the
gate for the environment and logs the decision. It never hands the policy
whole findings: ids, severities, counts and statuses only, so no scanner
text reaches the decision log or the policy.

The facts, for the project environment:

* ``open_counts``: open findings (``open``, ``triaged``, ``in_progress``,
  ``reopened``) counted by severity;
* ``blocking_findings``: the open high and critical ones (id and severity),
  at most :data:`MAX_LISTED`; the gate fails for any it counts but cannot
  see, so the cap fails closed;
* ``unverified_fixes``: findings in ``fix_submitted`` (a fix no rescan has
  confirmed), at most :data:`MAX_LISTED` (more than any environment allows);
* ``accepted_risks``: findings closed as ``accepted_risk``, each with the
  exception that covers it (an active one first), or none;
* ``exceptions``: the project's exceptions that cover a blocking finding or
  an accepted risk, with the ids they cover. An exception covers a finding
  when its scope's environment (if set) is the finding's, and each of its
  non-empty scope lists matches: ``components`` one of the finding's
  ``affected_components``; ``controls`` one of its ``control_refs``, its
  ``rule_id`` or a CVE id. A scope with neither list covers nothing. An
  ``active`` exception whose ``start_at`` is still ahead is reported
  ``pending``;
* ``evidence``: ``<tool type>_scan`` for every scanner type that has
  reported findings into the environment (``sast_scan``, ``sca_scan``...).
  A scan that never found anything leaves no finding to prove it ran, and
  SBOMs and reviews are not stored yet: missing evidence fails the gate,
  never passes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock, rfc3339
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import Environment, ExceptionStatus, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.domain.governance import ExceptionRecord
from pearl_core.policy.ports import PolicyEngine
from pearl_core.ports import UnitOfWork
from pearl_core.services.decisions import decision_record

__all__ = [
    "GATE_ENTRYPOINT",
    "MAX_LISTED",
    "OPEN_STATUSES",
    "GateStatus",
    "covers",
    "gate_status",
]

GATE_ENTRYPOINT: Final = "pearl.gate.decision"
MAX_LISTED: Final = 1000
"""Most blocking findings and unverified fixes listed in one gate input."""
OPEN_STATUSES: Final = (
    FindingStatus.OPEN,
    FindingStatus.TRIAGED,
    FindingStatus.IN_PROGRESS,
    FindingStatus.REOPENED,
)
_BLOCKING_SEVERITIES: Final = (RiskLevel.HIGH, RiskLevel.CRITICAL)
_PAGE: Final = 500


@dataclass(frozen=True, slots=True)
class GateStatus:
    """One logged gate evaluation: the decision, its reasons and the facts it saw."""

    decision_id: str
    decision: str
    """``pass`` or ``fail``."""
    reasons: tuple[dict[str, Any], ...]
    project_id: str
    environment: Environment
    facts: dict[str, Any]
    """The gate input, exactly as evaluated (ids, severities and counts only)."""
    bundle_hash: str
    decided_at: datetime

    @property
    def passed(self) -> bool:
        return self.decision == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "decision": self.decision,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "project_id": self.project_id,
            "environment": self.environment.value,
            "facts": self.facts,
            "bundle_hash": self.bundle_hash,
            "decided_at": self.decided_at.isoformat(),
        }


async def gate_status(
    uow: UnitOfWork,
    engine: PolicyEngine,
    project_id: str,
    environment: Environment,
    *,
    clock: Clock,
    mask: InputMask,
) -> GateStatus:
    """Evaluate the gate for the project environment as it is now, and log it.

    The facts are read in one transaction; the engine decides outside it; the
    decision record is written in a second one (a decision log write needs no
    audit event). ``project_not_found`` for a project outside the caller's org.
    """
    authorize(uow.principal, Permission.PROJECT_READ)
    now = clock.now()
    async with uow:
        await uow.projects.get(project_id)
        facts = await _facts(uow, project_id, environment, now)
    decision = engine.evaluate(GATE_ENTRYPOINT, facts)
    record = decision_record(decision, facts, principal=uow.principal, decided_at=now, mask=mask)
    async with uow:
        await uow.decisions.add(record)
        await uow.commit()
    return GateStatus(
        decision_id=record.decision_id,
        decision=record.decision,
        reasons=tuple(record.reasons),
        project_id=project_id,
        environment=environment,
        facts=facts,
        bundle_hash=record.bundle_hash,
        decided_at=now,
    )


async def _facts(
    uow: UnitOfWork, project_id: str, environment: Environment, now: datetime
) -> dict[str, Any]:
    where: dict[str, Any] = {"project_id": project_id, "environment": environment}
    counts = {
        level.value: await uow.findings.count(statuses=OPEN_STATUSES, severities=[level], **where)
        for level in RiskLevel
    }
    blocking = await uow.findings.list(
        statuses=OPEN_STATUSES, severities=_BLOCKING_SEVERITIES, limit=MAX_LISTED, **where
    )
    unverified = await uow.findings.list(
        statuses=[FindingStatus.FIX_SUBMITTED], limit=MAX_LISTED, **where
    )
    accepted = await _all(uow, project_id, environment, FindingStatus.ACCEPTED_RISK)
    exceptions = await uow.exceptions.list(project_id=project_id)
    return {
        "target_environment": environment.value,
        "now": rfc3339(now),
        "open_counts": counts,
        "blocking_findings": [_lean(f) for f in blocking],
        "unverified_fixes": [_lean(f) for f in unverified],
        "exceptions": _exception_facts(exceptions, [*blocking, *accepted], now),
        "accepted_risks": [
            {**_lean(f), "exception_id": _waiver_of(f, exceptions, now)} for f in accepted
        ],
        "evidence": await _evidence(uow, project_id, environment),
    }


async def _all(
    uow: UnitOfWork, project_id: str, environment: Environment, status: FindingStatus
) -> list[Finding]:
    found: list[Finding] = []
    while True:
        page = await uow.findings.list(
            project_id=project_id,
            environment=environment,
            statuses=[status],
            limit=_PAGE,
            offset=len(found),
        )
        found.extend(page)
        if len(page) < _PAGE:
            return found


def _lean(finding: Finding) -> dict[str, Any]:
    return {"finding_id": finding.finding_id, "severity": finding.severity.value}


def covers(exception: ExceptionRecord, finding: Finding) -> bool:
    """Whether ``exception``'s scope names ``finding`` (see the module docstring)."""
    scope = exception.scope
    if scope is None or exception.project_id != finding.project_id:
        return False
    if scope.environment is not None and scope.environment != finding.environment:
        return False
    if not scope.components and not scope.controls:
        return False
    if scope.components and not set(scope.components) & set(finding.affected_components):
        return False
    names = {*finding.control_refs, *finding.cve_ids}
    if finding.rule_id is not None:
        names.add(finding.rule_id)
    return not scope.controls or bool(set(scope.controls) & names)


def _status(exception: ExceptionRecord, now: datetime) -> str:
    if (
        exception.status is ExceptionStatus.ACTIVE
        and exception.start_at is not None
        and exception.start_at > now
    ):
        return ExceptionStatus.PENDING.value
    return exception.status.value


def _usable(exception: ExceptionRecord, now: datetime) -> bool:
    return (
        _status(exception, now) == ExceptionStatus.ACTIVE.value
        and exception.expires_at is not None
        and now < exception.expires_at
    )


def _waiver_of(
    finding: Finding, exceptions: Sequence[ExceptionRecord], now: datetime
) -> str | None:
    """The exception an accepted risk rests on: a usable one first, else any that covers it."""
    covering = [e for e in exceptions if covers(e, finding)]
    covering.sort(key=lambda e: (not _usable(e, now), e.exception_id))
    return covering[0].exception_id if covering else None


def _exception_facts(
    exceptions: Sequence[ExceptionRecord], findings: Sequence[Finding], now: datetime
) -> list[dict[str, Any]]:
    facts = []
    for exception in sorted(exceptions, key=lambda e: e.exception_id):
        covered = sorted({f.finding_id for f in findings if covers(exception, f)})
        if covered:
            facts.append(
                {
                    "exception_id": exception.exception_id,
                    "status": _status(exception, now),
                    "expires_at": None
                    if exception.expires_at is None
                    else rfc3339(exception.expires_at),
                    "finding_ids": covered,
                }
            )
    return facts


async def _evidence(uow: UnitOfWork, project_id: str, environment: Environment) -> list[str]:
    index = await uow.findings.scope_index(project_id, environment)
    tools = sorted({entry.tool_name for entry in index})
    kinds: set[str] = set()
    for tool in tools:
        sample = await uow.findings.list(
            project_id=project_id, environment=environment, tool_name=tool, limit=1
        )
        kinds.update(f"{finding.source.tool_type.value}_scan" for finding in sample)
    return sorted(kinds)
