"""Exceptions: ask for a time-bound waiver of controls; a human reviewer grants it.

:func:`request_exception` stores an :class:`~pearl_core.domain.governance.ExceptionRecord`
as ``pending``, requested by the acting principal, audited as
``exception.requested``. Requesting never grants: whatever status or approvers
a caller names, the record starts ``pending`` with no approvers, and only the
exception lifecycle's human reviewer rows can make it ``active``. Agents may
ask (a request is not a waiver); they can never decide.

A waiver must be time-bound: ``expires_at`` is required, in the future, and
after ``start_at`` when one is given.

Under an idempotency key the exception id is derived from the key, so a retry
of the same request returns the stored record and a different request under
the same key is ``conflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.base import PearlModel, UtcDatetime
from pearl_core.domain.common import ProjectId
from pearl_core.domain.enums import ExceptionStatus
from pearl_core.domain.governance import ExceptionRecord, ExceptionScope
from pearl_core.errors import AlreadyExists, IdempotencyConflict, ValidationFailed
from pearl_core.ports import UnitOfWork
from pearl_core.services._idempotency import record_id
from pearl_core.trace import current_trace_id

__all__ = ["ExceptionRequest", "list_exceptions", "request_exception"]

ExceptionId = Annotated[str, Field(min_length=3, max_length=128, pattern=r"^exc_[A-Za-z0-9_-]+$")]

#: What a retry must repeat to be the same request.
_SAME_REQUEST = (
    "project_id",
    "scope",
    "requested_by",
    "rationale",
    "compensating_controls",
    "start_at",
    "expires_at",
    "review_cadence_days",
)


class ExceptionRequest(PearlModel):
    """What a caller asks to waive, for how long and why; PeaRL fills in the rest."""

    project_id: ProjectId
    rationale: Annotated[str, Field(min_length=1, max_length=5000)]
    expires_at: UtcDatetime
    exception_id: ExceptionId | None = None
    scope: ExceptionScope | None = None
    compensating_controls: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    start_at: UtcDatetime | None = None
    review_cadence_days: Annotated[int, Field(ge=1, le=3650)] | None = None


async def request_exception(
    uow: UnitOfWork,
    request: ExceptionRequest,
    *,
    clock: Clock,
    idempotency_key: str | None = None,
) -> ExceptionRecord:
    """Store a pending exception request (see the module docstring)."""
    authorize(uow.principal, Permission.APPROVALS_REQUEST)
    now = clock.now()
    if request.expires_at <= now:
        raise ValidationFailed("an exception must expire in the future", field="expires_at")
    if request.start_at is not None and request.start_at >= request.expires_at:
        raise ValidationFailed("an exception must start before it expires", field="start_at")
    record = ExceptionRecord(
        exception_id=request.exception_id
        or record_id("exc", uow.principal.org_id, idempotency_key),
        project_id=request.project_id,
        scope=request.scope,
        requested_by=uow.principal.subject_id,
        rationale=request.rationale,
        compensating_controls=list(request.compensating_controls),
        approved_by=[],
        status=ExceptionStatus.PENDING,
        start_at=request.start_at,
        expires_at=request.expires_at,
        review_cadence_days=request.review_cadence_days,
        trace_id=current_trace_id(),
    )
    async with uow:
        await uow.projects.get(request.project_id)
        try:
            await uow.exceptions.add(record)
        except AlreadyExists:
            if idempotency_key is None:
                raise
            return await _replay(uow, record, idempotency_key)
        await uow.audit.record(
            "exception.requested",
            resource_type="exception",
            resource_id=record.exception_id,
            details={
                "project_id": record.project_id,
                "expires_at": record.expires_at.isoformat() if record.expires_at else None,
                "controls": list(record.scope.controls) if record.scope else [],
            },
        )
        await uow.commit()
    return record


async def _replay(uow: UnitOfWork, record: ExceptionRecord, key: str) -> ExceptionRecord:
    stored = await uow.exceptions.get(record.exception_id)
    if _essence(stored) != _essence(record):
        raise IdempotencyConflict(
            "this idempotency key was used for a different exception request",
            idempotency_key=key,
            exception_id=record.exception_id,
        )
    return stored


def _essence(record: ExceptionRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", include=set(_SAME_REQUEST))


async def list_exceptions(
    uow: UnitOfWork,
    *,
    project_id: str | None = None,
    statuses: Sequence[ExceptionStatus] | None = None,
) -> list[ExceptionRecord]:
    """Exceptions matching the filters (``None``: any), oldest first."""
    authorize(uow.principal, Permission.APPROVALS_READ)
    async with uow.reading():
        return await uow.exceptions.list(project_id=project_id, statuses=statuses)
