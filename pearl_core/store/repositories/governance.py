"""Approval requests and their decisions, exceptions, and promotions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from pearl_core.domain.enums import ApprovalStatus, ExceptionStatus, PromotionStatus
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    Promotion,
)
from pearl_core.errors import (
    AlreadyExists,
    ApprovalNotFound,
    Conflict,
    ExceptionNotFound,
    NotFound,
)
from pearl_core.store.repositories._scope import (
    Parent,
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_new,
    parse,
    project_parent,
    update_row,
    where,
)
from pearl_core.store.tables import approval_decisions, approval_requests, exceptions, promotions

__all__ = ["SqlApprovalRepository", "SqlExceptionRepository", "SqlPromotionRepository"]


def _request_values(request: ApprovalRequest) -> dict[str, Any]:
    return {
        "project_id": request.project_id,
        "status": request.status.value,
        "created_at": request.created_at,
        "doc": dump(request),
    }


class SqlApprovalRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, request: ApprovalRequest) -> None:
        values = {
            "approval_request_id": request.approval_request_id,
            "stored_at": self._scope.clock.now(),
            **_request_values(request),
        }
        parent = project_parent(request.project_id)
        if not await insert_new(self._scope, approval_requests, values, parent=parent):
            raise AlreadyExists("the approval request exists", id=request.approval_request_id)

    async def get(self, approval_request_id: str) -> ApprovalRequest:
        table = approval_requests
        statement = select(table.c.doc).where(
            *where(self._scope, table, approval_request_id=approval_request_id)
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise ApprovalNotFound(approval_request_id)
        return parse(ApprovalRequest, doc)

    async def list(
        self, *, statuses: Sequence[ApprovalStatus] | None = None
    ) -> list[ApprovalRequest]:
        table = approval_requests
        statement = (
            select(table.c.doc)
            .where(*where(self._scope, table, statuses=statuses))
            .order_by(table.c.stored_at, table.c.approval_request_id)
        )
        return [parse(ApprovalRequest, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(
        self, request: ApprovalRequest, *, expected: ApprovalRequest | None = None
    ) -> None:
        key = {"approval_request_id": request.approval_request_id}
        expect = None if expected is None else dump(expected)
        values = _request_values(request)
        if not await update_row(self._scope, approval_requests, key, values, expect_doc=expect):
            if expected is not None:
                raise Conflict(
                    "the approval request changed meanwhile", id=request.approval_request_id
                )
            raise ApprovalNotFound(request.approval_request_id)

    async def record_decision(self, decision: ApprovalDecision) -> None:
        """Store the request's one decision; a second one is a ``Conflict``."""
        request_id = decision.approval_request_id
        values = {
            "approval_request_id": request_id,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at,
            "doc": dump(decision),
        }
        parent = Parent(
            approval_requests, {"approval_request_id": request_id}, ApprovalNotFound(request_id)
        )
        if not await insert_new(self._scope, approval_decisions, values, parent=parent):
            raise Conflict("the approval request is already decided", id=request_id)

    async def decision_for(self, approval_request_id: str) -> ApprovalDecision | None:
        table = approval_decisions
        statement = select(table.c.doc).where(
            *where(self._scope, table, approval_request_id=approval_request_id)
        )
        doc = await fetch_doc(self._scope, statement)
        return None if doc is None else parse(ApprovalDecision, doc)


def _exception_values(record: ExceptionRecord) -> dict[str, Any]:
    return {
        "project_id": record.project_id,
        "status": record.status.value,
        "expires_at": record.expires_at,
        "doc": dump(record),
    }


class SqlExceptionRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, record: ExceptionRecord) -> None:
        values = {
            "exception_id": record.exception_id,
            "stored_at": self._scope.clock.now(),
            **_exception_values(record),
        }
        parent = project_parent(record.project_id)
        if not await insert_new(self._scope, exceptions, values, parent=parent):
            raise AlreadyExists("the exception exists", id=record.exception_id)

    async def get(self, exception_id: str) -> ExceptionRecord:
        statement = select(exceptions.c.doc).where(
            *where(self._scope, exceptions, exception_id=exception_id)
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise ExceptionNotFound(exception_id)
        return parse(ExceptionRecord, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[ExceptionStatus] | None = None,
    ) -> list[ExceptionRecord]:
        statement = (
            select(exceptions.c.doc)
            .where(*where(self._scope, exceptions, statuses=statuses, project_id=project_id))
            .order_by(exceptions.c.stored_at, exceptions.c.exception_id)
        )
        return [parse(ExceptionRecord, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, record: ExceptionRecord) -> None:
        key = {"exception_id": record.exception_id}
        if not await update_row(self._scope, exceptions, key, _exception_values(record)):
            raise ExceptionNotFound(record.exception_id)


class SqlPromotionRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, promotion: Promotion) -> None:
        values = {
            "promotion_id": promotion.promotion_id,
            "project_id": promotion.project_id,
            "status": promotion.status.value,
            "stored_at": self._scope.clock.now(),
            "doc": dump(promotion),
        }
        parent = project_parent(promotion.project_id)
        if not await insert_new(self._scope, promotions, values, parent=parent):
            raise AlreadyExists("the promotion exists", id=promotion.promotion_id)

    async def get(self, promotion_id: str) -> Promotion:
        statement = select(promotions.c.doc).where(
            *where(self._scope, promotions, promotion_id=promotion_id)
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(promotion_id)
        return parse(Promotion, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[PromotionStatus] | None = None,
    ) -> list[Promotion]:
        statement = (
            select(promotions.c.doc)
            .where(*where(self._scope, promotions, statuses=statuses, project_id=project_id))
            .order_by(promotions.c.stored_at, promotions.c.promotion_id)
        )
        return [parse(Promotion, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, promotion: Promotion) -> None:
        values = {
            "project_id": promotion.project_id,
            "status": promotion.status.value,
            "doc": dump(promotion),
        }
        key = {"promotion_id": promotion.promotion_id}
        if not await update_row(self._scope, promotions, key, values):
            raise NotFound(promotion.promotion_id)
