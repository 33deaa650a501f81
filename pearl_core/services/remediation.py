"""Remediation: turn a project environment's open findings into specs and packets.

:func:`generate_remediation_specs` reads the open findings (``open``,
``triaged``, ``reopened``; optionally only some severities or one tool) that
no live packet already covers, groups them into units one change fixes
(:func:`pearl_core.remediation.group_findings`), asks ``pearl.remediation``
whether an agent may do each (every answer is logged in the decision log),
and stores a :class:`~pearl_core.domain.remediation.RemediationSpec` per unit.
Spec ids are derived from the project, environment and unit, so the same
findings under the same policy give the same specs; a spec already stored is
kept, not duplicated. Units an agent may work on (``auto_allowed``,
``auto_allowed_with_approval``) also get a signed task packet, cut from the
latest compiled context package, unless a live packet exists for the spec.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.context.signing import ContextSigner
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import (
    Environment,
    FindingStatus,
    RiskLevel,
    TaskPacketStatus,
)
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.errors import PackageNotFound
from pearl_core.policy.ports import PolicyEngine
from pearl_core.ports import UnitOfWork
from pearl_core.remediation import (
    AGENT_ELIGIBLE,
    build_packet,
    build_spec,
    eligibility_input,
    evaluate_eligibility,
    group_findings,
)
from pearl_core.services.decisions import decision_record
from pearl_core.trace import current_trace_id

__all__ = ["Generated", "generate_remediation_specs"]

_WORKABLE = (FindingStatus.OPEN, FindingStatus.TRIAGED, FindingStatus.REOPENED)
_LIVE_PACKETS = (TaskPacketStatus.AVAILABLE, TaskPacketStatus.CLAIMED, TaskPacketStatus.SUBMITTED)
_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class Generated:
    """What one generation produced (``specs`` includes those already stored)."""

    specs: tuple[RemediationSpec, ...]
    packets: tuple[TaskPacket, ...]
    """Packets created by this run."""
    findings_considered: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings_considered": self.findings_considered,
            "specs": [s.model_dump(mode="json", exclude_none=True) for s in self.specs],
            "packets": [p.model_dump(mode="json", exclude_none=True) for p in self.packets],
        }


async def generate_remediation_specs(
    uow: UnitOfWork,
    engine: PolicyEngine,
    project_id: str,
    environment: Environment,
    *,
    clock: Clock,
    mask: InputMask,
    signer: ContextSigner | None,
    packet_ttl: timedelta,
    severities: Sequence[RiskLevel] | None = None,
    tool_name: str | None = None,
) -> Generated:
    """Specs and packets for the open findings (see the module docstring)."""
    authorize(uow.principal, Permission.REMEDIATION_GENERATE)
    now = clock.now()
    trace_id = current_trace_id()
    async with uow:
        await uow.projects.get(project_id)
        context = await uow.compiled_packages.latest(project_id, environment)
        if context is None:
            raise PackageNotFound(f"{project_id}/{environment.value}")
        live = await uow.task_packets.list(project_id=project_id, statuses=_LIVE_PACKETS)
        covered = {ref for packet in live for ref in packet.finding_refs}
        open_specs = {p.remediation_spec_id for p in live if p.environment is environment}
        found = await uow.findings.list(
            project_id=project_id,
            environment=environment,
            statuses=_WORKABLE,
            severities=severities,
            tool_name=tool_name,
            limit=_PAGE,
        )
        todo = [f for f in found if f.finding_id not in covered]
        stored = {
            s.remediation_spec_id: s
            for s in await uow.remediation_specs.list(project_id=project_id)
        }
        specs, new_specs, packets, records = [], [], [], []
        for unit in group_findings(todo):
            question = eligibility_input(unit, environment, context)
            decision = evaluate_eligibility(engine, question)
            records.append(
                decision_record(
                    decision,
                    question,
                    principal=uow.principal,
                    decided_at=now,
                    mask=mask,
                    data_versions={"compiled_package": context.package_id},
                )
            )
            spec = build_spec(
                unit,
                decision,
                context=context,
                project_id=project_id,
                environment=environment,
                generated_at=now,
                trace_id=trace_id,
            )
            if spec.remediation_spec_id in stored:
                spec = stored[spec.remediation_spec_id]
            else:
                new_specs.append(spec)
            specs.append(spec)
            if spec.eligibility not in AGENT_ELIGIBLE or spec.remediation_spec_id in open_specs:
                continue
            packets.append(
                build_packet(
                    spec,
                    unit,
                    context,
                    generated_at=now,
                    ttl=packet_ttl,
                    trace_id=trace_id,
                    signer=signer,
                    compiled_package_id=context.package_id,
                )
            )
        await uow.decisions.add_many(records)
        await uow.remediation_specs.add_many(new_specs)
        await uow.task_packets.add_many(packets)
        await uow.audit.record(
            "remediation.generated",
            resource_type="project",
            resource_id=project_id,
            details={
                "environment": environment.value,
                "findings": len(todo),
                "specs": [s.remediation_spec_id for s in specs],
                "packets": [p.task_packet_id for p in packets],
            },
        )
        await uow.commit()
    return Generated(tuple(specs), tuple(packets), len(todo))
