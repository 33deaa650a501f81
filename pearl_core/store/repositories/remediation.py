"""Remediation specs and the task packets issued from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from pearl_core.domain.enums import TaskPacketStatus
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.errors import AlreadyExists, Conflict, NotFound, TaskPacketNotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_batch,
    insert_new,
    parse,
    project_parent,
    update_row,
    where,
)
from pearl_core.store.tables import remediation_specs, task_packets

__all__ = ["SqlRemediationSpecRepository", "SqlTaskPacketRepository"]


class SqlRemediationSpecRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, spec: RemediationSpec) -> None:
        values = {
            "remediation_spec_id": spec.remediation_spec_id,
            "project_id": spec.project_id,
            "environment": spec.environment.value,
            "stored_at": self._scope.clock.now(),
            "doc": dump(spec),
        }
        parent = project_parent(spec.project_id)
        if not await insert_new(self._scope, remediation_specs, values, parent=parent):
            raise AlreadyExists("the remediation spec exists", id=spec.remediation_spec_id)

    async def add_many(self, specs: Sequence[RemediationSpec]) -> None:
        now = self._scope.clock.now()
        rows = [
            {
                "remediation_spec_id": spec.remediation_spec_id,
                "project_id": spec.project_id,
                "environment": spec.environment.value,
                "stored_at": now,
                "doc": dump(spec),
            }
            for spec in specs
        ]
        await insert_batch(self._scope, remediation_specs, rows, what="remediation spec")

    async def get(self, remediation_spec_id: str) -> RemediationSpec:
        table = remediation_specs
        statement = select(table.c.doc).where(
            *where(self._scope, table, remediation_spec_id=remediation_spec_id)
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(remediation_spec_id)
        return parse(RemediationSpec, doc)

    async def list(self, *, project_id: str | None = None) -> list[RemediationSpec]:
        table = remediation_specs
        statement = (
            select(table.c.doc)
            .where(*where(self._scope, table, project_id=project_id))
            .order_by(table.c.stored_at, table.c.remediation_spec_id)
        )
        return [parse(RemediationSpec, doc) for doc in await fetch_docs(self._scope, statement)]


def _packet_values(packet: TaskPacket) -> dict[str, Any]:
    return {
        "project_id": packet.project_id,
        "environment": packet.environment.value,
        "status": packet.status.value,
        "expires_at": packet.expires_at,
        "doc": dump(packet),
    }


class SqlTaskPacketRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, packet: TaskPacket) -> None:
        values = {
            "task_packet_id": packet.task_packet_id,
            "stored_at": self._scope.clock.now(),
            **_packet_values(packet),
        }
        parent = project_parent(packet.project_id)
        if not await insert_new(self._scope, task_packets, values, parent=parent):
            raise AlreadyExists("the task packet exists", id=packet.task_packet_id)

    async def add_many(self, packets: Sequence[TaskPacket]) -> None:
        now = self._scope.clock.now()
        rows = [
            {"task_packet_id": p.task_packet_id, "stored_at": now, **_packet_values(p)}
            for p in packets
        ]
        await insert_batch(self._scope, task_packets, rows, what="task packet")

    async def get(self, task_packet_id: str) -> TaskPacket:
        table = task_packets
        statement = select(table.c.doc).where(
            *where(self._scope, table, task_packet_id=task_packet_id)
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise TaskPacketNotFound(task_packet_id)
        return parse(TaskPacket, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[TaskPacketStatus] | None = None,
    ) -> list[TaskPacket]:
        table = task_packets
        statement = (
            select(table.c.doc)
            .where(*where(self._scope, table, statuses=statuses, project_id=project_id))
            .order_by(table.c.stored_at, table.c.task_packet_id)
        )
        return [parse(TaskPacket, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, packet: TaskPacket, *, expected: TaskPacket | None = None) -> None:
        self._scope.packet_changed(packet.task_packet_id)
        key = {"task_packet_id": packet.task_packet_id}
        expect = None if expected is None else dump(expected)
        values = _packet_values(packet)
        if not await update_row(self._scope, task_packets, key, values, expect_doc=expect):
            if expected is not None:
                raise Conflict("the task packet changed meanwhile", id=packet.task_packet_id)
            raise TaskPacketNotFound(packet.task_packet_id)
