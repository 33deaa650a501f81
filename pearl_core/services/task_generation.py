"""Task packets for work that is not a remediation: features, refactors, config.

:func:`generate_task_packet` cuts a signed :class:`~pearl_core.domain.remediation.TaskPacket`
for a task a person describes (type, summary, components, change hints) from
the latest compiled context package of the project environment, audited as
``task_packet.created``. Everything the packet permits comes from that
context, never from the request:

* ``allowed_actions``: the read, write, command and commit action types the
  context's autonomy policy grants (by type or capability) and does not
  block; ``blocked_actions``: the context's blocked actions plus ``deploy``,
  ``git_push`` and ``network_egress``, as for remediation packets;
* ``approval_triggers``: the change hints the context gates (an
  ``approval_required_for`` entry, singular or plural, or an approval
  checkpoint for this environment), plus the granted action types the
  context gates (``git_commit`` when commits need approval);
* controls, required tests, evidence and reassessment triggers: the
  context's own.

Such a packet grants no paths, commands or packages: it carries the task's
context to an agent, and the guard rails deny every write or command under
it. Bounded work an agent may carry out alone comes from remediation, whose
packets are scoped to the files of their findings.

Under an idempotency key the packet id is derived from the key: a retry of
the same request returns the stored packet, another request is ``conflict``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.context.signing import ContextSigner
from pearl_core.domain.base import PearlModel
from pearl_core.domain.common import Reference, ShortText
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.enums import Environment, ReferenceKind, TaskType
from pearl_core.domain.remediation import ContextBudget, TaskPacket
from pearl_core.errors import AlreadyExists, IdempotencyConflict, PackageNotFound
from pearl_core.ports import UnitOfWork
from pearl_core.remediation import (
    ACTION_CAPABILITIES,
    ACTION_COMMAND_RUN,
    ACTION_FILE_READ,
    ACTION_FILE_WRITE,
    ACTION_GIT_COMMIT,
    ALWAYS_BLOCKED,
    sign_packet,
)
from pearl_core.services._idempotency import record_id
from pearl_core.trace import current_trace_id
from pearl_core.validation import parse

__all__ = ["TaskRequest", "generate_task_packet"]

_ACTIONS = (ACTION_FILE_READ, ACTION_FILE_WRITE, ACTION_COMMAND_RUN, ACTION_GIT_COMMIT)
_SAME_REQUEST = (
    "project_id",
    "environment",
    "task_type",
    "task_summary",
    "affected_components",
    "approval_triggers",
    "context_budget",
)


class TaskRequest(PearlModel):
    """The task a person wants an agent to work on."""

    task_type: TaskType
    task_summary: Annotated[str, Field(min_length=1, max_length=3000)]
    environment: Environment
    affected_components: list[ShortText] = Field(default_factory=list, max_length=200)
    change_hints: list[ShortText] = Field(default_factory=list, max_length=200)
    """What the change touches (``auth_flow_change``...): gated ones become approval triggers."""
    context_budget: ContextBudget | None = None


async def generate_task_packet(
    uow: UnitOfWork,
    project_id: str,
    request: TaskRequest,
    *,
    clock: Clock,
    signer: ContextSigner | None,
    packet_ttl: timedelta,
    idempotency_key: str | None = None,
) -> TaskPacket:
    """Cut, sign and store the packet (see the module docstring)."""
    authorize(uow.principal, Permission.REMEDIATION_GENERATE)
    now = clock.now()
    async with uow:
        await uow.projects.get(project_id)
        context = await uow.compiled_packages.latest(project_id, request.environment)
        if context is None:
            raise PackageNotFound(f"{project_id}/{request.environment.value}")
        packet_id = record_id("tp", uow.principal.org_id, idempotency_key)
        packet = _packet(packet_id, request, context, now, packet_ttl)
        if signer is not None:
            packet = sign_packet(packet, signer)
        try:
            await uow.task_packets.add(packet)
        except AlreadyExists:
            if idempotency_key is None:
                raise
            return await _replay(uow, packet, idempotency_key)
        await uow.audit.record(
            "task_packet.created",
            resource_type="task_packet",
            resource_id=packet.task_packet_id,
            details={
                "project_id": project_id,
                "environment": request.environment.value,
                "task_type": request.task_type.value,
                "compiled_package_id": context.package_id,
                "approval_triggers": list(packet.approval_triggers),
            },
        )
        await uow.commit()
    return packet


def _packet(
    packet_id: str,
    request: TaskRequest,
    context: CompiledContextPackage,
    now: datetime,
    ttl: timedelta,
) -> TaskPacket:
    allowed, blocked = _actions(context)
    tests = context.required_tests
    reassessment = context.change_reassessment_triggers
    return parse(
        TaskPacket,
        {
            "task_packet_id": packet_id,
            "project_id": context.project_id,
            "environment": context.environment,
            "task_type": request.task_type,
            "task_summary": request.task_summary,
            "affected_components": list(request.affected_components),
            "relevant_controls": list(context.security_requirements.required_controls),
            "relevant_rai_requirements": _rai(context),
            "allowed_actions": allowed,
            "blocked_actions": blocked,
            "required_tests": [*tests.security, *tests.rai, *tests.functional] if tests else [],
            "approval_triggers": _triggers(request, context, allowed),
            "evidence_required": list(context.evidence_requirements),
            "reassessment_triggers": list(reassessment.architecture_delta) if reassessment else [],
            "references": [
                Reference(
                    ref_id=context.package_id,
                    kind=ReferenceKind.ARTIFACT,
                    summary="Base compiled package",
                )
            ],
            "trace_id": current_trace_id(),
            "generated_at": now,
            "context_budget": request.context_budget,
            "expires_at": now + ttl,
            "compiled_package_id": context.package_id,
        },
    )


def _actions(context: CompiledContextPackage) -> tuple[list[str], list[str]]:
    policy = context.autonomy_policy
    granted, refused = set(policy.allowed_actions), set(policy.blocked_actions)
    allowed = {
        action
        for action in _ACTIONS
        if {action, ACTION_CAPABILITIES[action]} & granted
        and not {action, ACTION_CAPABILITIES[action]} & refused
    }
    return sorted(allowed), sorted((refused | set(ALWAYS_BLOCKED)) - allowed)


def _triggers(
    request: TaskRequest, context: CompiledContextPackage, allowed: list[str]
) -> list[str]:
    gated = set(context.autonomy_policy.approval_required_for)
    gated |= {
        checkpoint.trigger
        for checkpoint in context.approval_checkpoints
        if checkpoint.environment in (None, context.environment)
    }
    hints = {hint for hint in request.change_hints if hint in gated or f"{hint}s" in gated}
    return sorted(hints | (set(allowed) & gated))


def _rai(context: CompiledContextPackage) -> list[str]:
    rai = context.responsible_ai_requirements
    if rai is None:
        return []
    found = []
    for section in ("transparency", "fairness"):
        values = getattr(rai, section)
        if values is None:
            continue
        for name, value in values.model_dump(exclude_none=True).items():
            if value is True or (isinstance(value, str) and value != "none"):
                found.append(f"{section}.{name}")
    return found


async def _replay(uow: UnitOfWork, packet: TaskPacket, key: str) -> TaskPacket:
    stored = await uow.task_packets.get(packet.task_packet_id)
    if stored.model_dump(include=set(_SAME_REQUEST)) != packet.model_dump(
        include=set(_SAME_REQUEST)
    ):
        raise IdempotencyConflict(
            "this idempotency key was used for a different task",
            idempotency_key=key,
            task_packet_id=packet.task_packet_id,
        )
    return stored
