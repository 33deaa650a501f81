"""An in-memory store with the SQL store's semantics, for tests.

:class:`InMemoryStore` is a ``UnitOfWorkFactory``: ``store.unit_of_work(principal)``
opens an :class:`InMemoryUnitOfWork` whose repositories see only the
principal's org. Like :class:`~pearl_core.store.SqlUnitOfWork`:

* ``async with uow:`` begins a transaction (a copy of the committed tables);
  leaving the block discards whatever was not committed;
* ``commit()`` refuses (``IntegrityViolation``, and rolls back) a transaction
  that changed state but recorded no audit event (decision-log records are
  not state changes and need none); afterwards the unit of work goes on in a
  fresh transaction, as a database connection does;
* the audit log is a per-org hash chain sealed with
  :func:`~pearl_core.domain.audit.seal_event`.

Concurrency is optimistic: a commit that would overwrite a row another unit of
work committed after this one began, store a colliding unique value, or append
to an audit chain that moved since this one read it raises ``Conflict``
(where SQLite would have made the second writer wait).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

from pearl_core import ports
from pearl_core.clock import Clock
from pearl_core.domain.audit import GENESIS_HASH, AuditEvent, AuditOutcome, next_event
from pearl_core.domain.identity import Principal
from pearl_core.errors import IntegrityViolation
from pearl_core.testing._credentials import MemoryApiKeyRepository, MemoryCredentialLookup
from pearl_core.testing._decisions import MemoryDecisionLogRepository
from pearl_core.testing._documents import (
    MemoryApplicationSpecRepository,
    MemoryCompiledPackageRepository,
    MemoryEnvironmentProfileRepository,
    MemoryOrgBaselineRepository,
)
from pearl_core.testing._findings import MemoryFindingRepository, MemoryIngestRunRepository
from pearl_core.testing._repositories import (
    MemoryApprovalRepository,
    MemoryExceptionRepository,
    MemoryJobRepository,
    MemoryOrgRepository,
    MemoryProjectRepository,
    MemoryPromotionRepository,
    MemoryRemediationSpecRepository,
    MemoryReportRepository,
    MemoryServiceAccountRepository,
    MemoryTaskPacketRepository,
    MemoryTeamRepository,
    MemoryUserRepository,
)
from pearl_core.testing._sessions import MemoryPasswordRepository, MemoryRefreshTokenRepository
from pearl_core.testing._tables import MemoryState, Transaction
from pearl_core.testing.clock import FakeClock
from pearl_core.trace import current_trace_id

__all__ = ["InMemoryAuditLog", "InMemoryStore", "InMemoryUnitOfWork"]


class InMemoryAuditLog:
    """``ports.AuditLog`` of one unit of work: the org's chain plus pending events."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def record(
        self,
        action: str,
        *,
        resource_type: str,
        resource_id: str,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        tx = self._tx
        tx.require_writable()
        chain = tx.audit_view()
        seq, prev_hash = (chain[-1].seq, chain[-1].hash) if chain else (0, GENESIS_HASH)
        event = next_event(
            head=(seq, prev_hash),
            principal=tx.principal,
            occurred_at=tx.clock.now(),
            trace_id=current_trace_id(),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            outcome=outcome,
            details=details,
        )
        tx.events.append(event.model_copy(deep=True))
        return event

    async def events(
        self, *, after_seq: int = 0, batch_size: int = 1000
    ) -> AsyncIterator[AuditEvent]:
        """Every event after ``after_seq`` in sequence order (``batch_size`` is
        accepted for the protocol; memory has no batches)."""
        for event in self._tx.audit_view():
            if event.seq > after_seq:
                yield event.model_copy(deep=True)

    async def head(self) -> tuple[int, str]:
        chain = self._tx.audit_view()
        return (chain[-1].seq, chain[-1].hash) if chain else (0, GENESIS_HASH)


class InMemoryUnitOfWork:
    """``ports.UnitOfWork`` over an :class:`InMemoryStore`, acting as ``principal``."""

    def __init__(self, state: MemoryState, principal: Principal, clock: Clock) -> None:
        self.principal = principal
        self._tx = tx = Transaction(state, principal, clock)
        self.orgs: ports.OrgRepository = MemoryOrgRepository(tx)
        self.teams: ports.TeamRepository = MemoryTeamRepository(tx)
        self.users: ports.UserRepository = MemoryUserRepository(tx)
        self.service_accounts: ports.ServiceAccountRepository = MemoryServiceAccountRepository(tx)
        self.api_keys: ports.ApiKeyRepository = MemoryApiKeyRepository(tx)
        self.passwords: ports.PasswordRepository = MemoryPasswordRepository(tx)
        self.refresh_tokens: ports.RefreshTokenRepository = MemoryRefreshTokenRepository(tx)
        self.projects: ports.ProjectRepository = MemoryProjectRepository(tx)
        self.org_baselines: ports.OrgBaselineRepository = MemoryOrgBaselineRepository(tx)
        self.app_specs: ports.ApplicationSpecRepository = MemoryApplicationSpecRepository(tx)
        self.environment_profiles: ports.EnvironmentProfileRepository = (
            MemoryEnvironmentProfileRepository(tx)
        )
        self.compiled_packages: ports.CompiledPackageRepository = MemoryCompiledPackageRepository(
            tx
        )
        self.findings: ports.FindingRepository = MemoryFindingRepository(tx)
        self.ingest_runs: ports.IngestRunRepository = MemoryIngestRunRepository(tx)
        self.remediation_specs: ports.RemediationSpecRepository = MemoryRemediationSpecRepository(
            tx
        )
        self.task_packets: ports.TaskPacketRepository = MemoryTaskPacketRepository(tx)
        self.approvals: ports.ApprovalRepository = MemoryApprovalRepository(tx)
        self.exceptions: ports.ExceptionRepository = MemoryExceptionRepository(tx)
        self.promotions: ports.PromotionRepository = MemoryPromotionRepository(tx)
        self.jobs: ports.JobRepository = MemoryJobRepository(tx)
        self.reports: ports.ReportRepository = MemoryReportRepository(tx)
        self.decisions: ports.DecisionLogRepository = MemoryDecisionLogRepository(tx)
        self.audit: ports.AuditLog = InMemoryAuditLog(tx)

    def reading(self) -> Self:
        """Open for reads only (see ``ports.UnitOfWork.reading``)."""
        if self._tx.is_open:
            raise RuntimeError("this unit of work is already open")
        self._tx.read_only = True
        return self

    async def __aenter__(self) -> Self:
        if self._tx.is_open:
            raise RuntimeError("this unit of work is already open")
        self._tx.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tx.close()

    async def commit(self) -> None:
        """Commit; ``IntegrityViolation`` (and a rollback) if state changed unaudited,
        ``Conflict`` (and a rollback) if a concurrent commit got there first."""
        tx = self._tx
        tx.require_open()
        if tx.writes and not tx.events:
            writes = tx.writes
            tx.begin()
            raise IntegrityViolation(
                "a state change must be recorded in the audit log before commit", writes=writes
            )
        tx.commit()

    async def rollback(self) -> None:
        self._tx.require_open()
        self._tx.begin()


class InMemoryStore:
    """PeaRL's store in memory: a ``UnitOfWorkFactory`` plus test-only readers.

    ``clock`` stamps ``stored_at``, document versions and audit events; a
    :class:`~pearl_core.testing.FakeClock` is created when none is given.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock if clock is not None else FakeClock()
        self._state = MemoryState()
        self.credentials: ports.CredentialLookup = MemoryCredentialLookup(self._state)
        """Org-agnostic credential reads, as :attr:`SqlStore.credentials`."""

    def unit_of_work(self, principal: Principal) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self._state, principal, self.clock)

    def audit_events(self, org_id: str) -> list[AuditEvent]:
        """Every committed audit event of ``org_id``, in sequence order."""
        return [event.model_copy(deep=True) for event in self._state.audit.get(org_id, [])]

    def audit_head(self, org_id: str) -> tuple[int, str]:
        """``(last seq, last hash)`` of ``org_id``'s committed chain; ``(0, GENESIS)`` if empty."""
        return self._state.head(org_id)
