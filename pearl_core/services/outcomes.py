"""Outcomes: the agent reports with evidence; only a rescan closes findings.

:func:`report_outcome` takes the lease holder's report. The evidence the
packet requires must be there (``changed_files``, ``commit_sha``,
``test_results`` with one result per required test, ``tool_output_digests``;
any other name must appear as a tool digest or a test result), or the report
is ``validation_failed`` naming every missing item. A ``fixed`` report also
needs every required test passed.

* ``fixed`` and ``not_reproducible`` submit the packet and move its findings
  from ``in_progress`` to ``fix_submitted``: the claim is now the scanners'
  to check.
* ``partial`` and ``failed`` give the packet back (``available``), keeping
  the report on it for the next agent.

:func:`verify_packets` runs after every ingest: a submitted packet whose
findings a scan has moved to ``fixed_verified`` is ``verified``; one with a
finding the scan still reports (``reopened``) is ``rejected``. The agent's
word never closes a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.enums import FindingStatus, TaskPacketStatus
from pearl_core.domain.identity import Principal
from pearl_core.domain.remediation import OutcomeReport, TaskPacket
from pearl_core.errors import ValidationFailed
from pearl_core.ports import UnitOfWork
from pearl_core.remediation.specs import RESCAN_PREFIX
from pearl_core.services._packets import move_findings, move_packet, require_holder, settle
from pearl_core.validation import parse

__all__ = ["PacketVerdict", "missing_evidence", "report_outcome", "verify_packets"]

_TP = TaskPacketStatus
_F = FindingStatus
_SUBMITTING: Final = frozenset({"fixed", "not_reproducible"})


def missing_evidence(packet: TaskPacket, report: OutcomeReport) -> list[str]:
    """What ``packet`` requires that ``report`` lacks, in a stable order."""
    results = {result.name: result for result in report.test_results}
    present = {
        "changed_files": bool(report.changed_files),
        "commit_sha": report.commit_sha is not None,
        "test_results": bool(report.test_results),
        "tool_output_digests": bool(report.tool_output_digests),
    }
    missing = [
        name
        for name in packet.evidence_required
        if not present.get(name, name in report.tool_output_digests or name in results)
    ]
    for test in packet.required_tests:
        if not test.startswith(RESCAN_PREFIX) and test not in results:
            missing.append(f"test_results[{test}]")
    return missing


def _failed_required(packet: TaskPacket, report: OutcomeReport) -> list[str]:
    results = {result.name: result.status for result in report.test_results}
    return [
        test
        for test in packet.required_tests
        if not test.startswith(RESCAN_PREFIX) and results.get(test) not in (None, "passed")
    ]


async def report_outcome(
    uow: UnitOfWork,
    task_packet_id: str,
    report: Mapping[str, Any],
    *,
    clock: Clock,
) -> TaskPacket:
    """Record the holder's outcome report on the packet (see the module docstring)."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    now = clock.now()
    outcome = parse(
        OutcomeReport, {**report, "reported_by": uow.principal.subject_id, "reported_at": now}
    )
    async with uow:
        packet = await settle(uow, await uow.task_packets.get(task_packet_id), now)
        await require_holder(uow, packet, now)
        missing = missing_evidence(packet, outcome)
        if missing:
            raise ValidationFailed(
                f"the outcome lacks required evidence: {', '.join(missing)}", missing=missing
            )
        failed = _failed_required(packet, outcome) if outcome.status == "fixed" else []
        if failed:
            raise ValidationFailed(
                f"a fixed outcome needs every required test passed; not passed: "
                f"{', '.join(failed)}",
                failed_tests=failed,
            )
        reported = await _apply(uow, packet, outcome, now)
        await uow.commit()
    return reported


async def _apply(
    uow: UnitOfWork, packet: TaskPacket, outcome: OutcomeReport, now: datetime
) -> TaskPacket:
    reason = f"outcome {outcome.status} reported"
    if outcome.status not in _SUBMITTING:
        return await move_packet(
            uow,
            packet,
            _TP.AVAILABLE,
            uow.principal,
            action="task_packet.outcome_reported",
            reason=reason,
            changes={"outcome": outcome, "lease": None},
        )
    submitted = await move_packet(
        uow,
        packet,
        _TP.SUBMITTED,
        uow.principal,
        action="task_packet.outcome_reported",
        reason=reason,
        changes={"outcome": outcome},
    )
    await move_findings(
        uow,
        list(packet.finding_refs),
        frozenset({_F.IN_PROGRESS}),
        _F.FIX_SUBMITTED,
        uow.principal,
        now=now,
        reason=f"{reason} in {packet.task_packet_id}",
    )
    return submitted


class PacketVerdict:
    """What a rescan did to one submitted packet."""

    __slots__ = ("status", "task_packet_id")

    def __init__(self, task_packet_id: str, status: TaskPacketStatus) -> None:
        self.task_packet_id = task_packet_id
        self.status = status

    def to_dict(self) -> dict[str, str]:
        return {"task_packet_id": self.task_packet_id, "status": self.status.value}


async def verify_packets(
    uow: UnitOfWork, project_id: str, environment: str, tool_names: Sequence[str]
) -> list[PacketVerdict]:
    """Settle the submitted packets of the project and environment that one of
    ``tool_names`` verifies, from their findings' statuses, inside the caller's
    unit of work (the ingest that just moved them). As the system principal."""
    system = Principal.system(uow.principal.org_id)
    tools = set(tool_names)
    verdicts = []
    for packet in await uow.task_packets.list(project_id=project_id, statuses=[_TP.SUBMITTED]):
        if packet.environment.value != environment:
            continue
        if packet.verification_tools and not tools.intersection(packet.verification_tools):
            continue
        statuses = {f.status for f in await uow.findings.by_ids(list(packet.finding_refs))}
        if _F.REOPENED in statuses or _F.OPEN in statuses:
            target, reason = _TP.REJECTED, "a rescan still reports a finding of this packet"
        elif statuses and statuses <= {_F.FIXED_VERIFIED}:
            target, reason = _TP.VERIFIED, "a rescan no longer reports any finding of this packet"
        else:
            continue
        await move_packet(uow, packet, target, system, action="task_packet.verified", reason=reason)
        verdicts.append(PacketVerdict(packet.task_packet_id, target))
    return verdicts
