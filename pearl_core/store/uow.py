"""The SQL unit of work and the store that opens it.

One unit of work is one database connection and one transaction:
``async with uow:`` checks out a connection and begins (on SQLite, with
``BEGIN IMMEDIATE``, taking the write lock), and on exit rolls back whatever
was not committed and returns the connection. Repositories and the audit log
share the unit of work's :class:`~pearl_core.store.repositories.Scope`, which
counts their writes: :meth:`SqlUnitOfWork.commit` refuses a transaction that
changed state without an audit record. Decision-log records are the one
exemption: they are records, not state changes of governed objects, so they
are not counted (a transaction that also changed state still needs its event).

Expected refusals (duplicates, a missing parent row) never make the database
raise, so the transaction stays usable. When the database does reject a
statement (a changed unique column colliding on update), PostgreSQL aborts
the transaction; the unit of work then refuses every further statement and
the commit on both engines, so SQLite behaves the same.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import anyio
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core import ports
from pearl_core.clock import Clock
from pearl_core.domain.identity import Principal
from pearl_core.errors import IntegrityViolation, StoreUnavailable
from pearl_core.packet_cache import PacketCache
from pearl_core.store.audit import SqlAuditLog
from pearl_core.store.engine import begin_transaction
from pearl_core.store.repositories import (
    Scope,
    SqlApiKeyRepository,
    SqlApplicationSpecRepository,
    SqlApprovalRepository,
    SqlCompiledPackageRepository,
    SqlCredentialLookup,
    SqlDecisionLogRepository,
    SqlEnvironmentProfileRepository,
    SqlExceptionRepository,
    SqlFindingRepository,
    SqlIngestRunRepository,
    SqlJobRepository,
    SqlOrgBaselineRepository,
    SqlOrgRepository,
    SqlPasswordRepository,
    SqlProjectRepository,
    SqlPromotionRepository,
    SqlRefreshTokenRepository,
    SqlRemediationSpecRepository,
    SqlReportRepository,
    SqlServiceAccountRepository,
    SqlTaskPacketRepository,
    SqlTeamRepository,
    SqlUserRepository,
)

__all__ = ["SqlStore", "SqlUnitOfWork"]


class SqlUnitOfWork:
    """``ports.UnitOfWork`` on SQLAlchemy Core, acting as ``principal``."""

    def __init__(
        self,
        engine: AsyncEngine,
        principal: Principal,
        clock: Clock,
        packet_cache: PacketCache | None = None,
    ) -> None:
        self.principal = principal
        self._engine = engine
        self._scope = scope = Scope(principal, clock, packet_cache)
        self.orgs: ports.OrgRepository = SqlOrgRepository(scope)
        self.teams: ports.TeamRepository = SqlTeamRepository(scope)
        self.users: ports.UserRepository = SqlUserRepository(scope)
        self.service_accounts: ports.ServiceAccountRepository = SqlServiceAccountRepository(scope)
        self.api_keys: ports.ApiKeyRepository = SqlApiKeyRepository(scope)
        self.passwords: ports.PasswordRepository = SqlPasswordRepository(scope)
        self.refresh_tokens: ports.RefreshTokenRepository = SqlRefreshTokenRepository(scope)
        self.projects: ports.ProjectRepository = SqlProjectRepository(scope)
        self.org_baselines: ports.OrgBaselineRepository = SqlOrgBaselineRepository(scope)
        self.app_specs: ports.ApplicationSpecRepository = SqlApplicationSpecRepository(scope)
        self.environment_profiles: ports.EnvironmentProfileRepository = (
            SqlEnvironmentProfileRepository(scope)
        )
        self.compiled_packages: ports.CompiledPackageRepository = SqlCompiledPackageRepository(
            scope
        )
        self.findings: ports.FindingRepository = SqlFindingRepository(scope)
        self.ingest_runs: ports.IngestRunRepository = SqlIngestRunRepository(scope)
        self.remediation_specs: ports.RemediationSpecRepository = SqlRemediationSpecRepository(
            scope
        )
        self.task_packets: ports.TaskPacketRepository = SqlTaskPacketRepository(scope)
        self.approvals: ports.ApprovalRepository = SqlApprovalRepository(scope)
        self.exceptions: ports.ExceptionRepository = SqlExceptionRepository(scope)
        self.promotions: ports.PromotionRepository = SqlPromotionRepository(scope)
        self.jobs: ports.JobRepository = SqlJobRepository(scope)
        self.reports: ports.ReportRepository = SqlReportRepository(scope)
        self.decisions: ports.DecisionLogRepository = SqlDecisionLogRepository(scope)
        self.audit: ports.AuditLog = SqlAuditLog(scope)

    def reading(self) -> Self:
        """Open for reads only (see ``ports.UnitOfWork.reading``)."""
        if self._scope.connection is not None:
            raise RuntimeError("this unit of work is already open")
        self._scope.read_only = True
        return self

    async def __aenter__(self) -> Self:
        scope = self._scope
        if scope.connection is not None:
            raise RuntimeError("this unit of work is already open")
        scope.connection = await begin_transaction(self._engine, read_only=scope.read_only)
        scope.reset()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._scope.connection = self._scope.connection, None
        self._scope.read_only = False
        if connection is None:
            return
        # Give the connection back even when the caller is being cancelled.
        with anyio.CancelScope(shield=True):
            try:
                if connection.in_transaction():
                    await connection.rollback()
            finally:
                self._scope.forget_changed_packets()
                await connection.close()

    async def commit(self) -> None:
        """Commit, or roll back and raise ``IntegrityViolation`` when state changed
        without an audit record, or the database rejected a statement earlier
        (PostgreSQL would silently turn that commit into a rollback)."""
        scope = self._scope
        if scope.poisoned:
            await self.rollback()
            raise IntegrityViolation(
                "the database rejected a statement of this unit of work; it was rolled back"
            )
        if scope.writes and not scope.audit_records:
            await self.rollback()
            raise IntegrityViolation(
                "a state change must be recorded in the audit log before commit",
                writes=scope.writes,
            )
        try:
            await scope.conn.commit()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable("the database connection was lost") from exc
            raise
        finally:
            scope.forget_changed_packets()
        scope.reset()

    async def rollback(self) -> None:
        await self._scope.conn.rollback()
        self._scope.forget_changed_packets()
        self._scope.reset()


class SqlStore:
    """The database behind PeaRL: opens units of work (a ``UnitOfWorkFactory``)."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Clock, packet_cache: PacketCache | None = None
    ) -> None:
        self.engine = engine
        self._clock = clock
        self.packet_cache = packet_cache or PacketCache(0)
        """Committed task packets for the guard rail's fast path (off when 0 s)."""
        self.credentials: ports.CredentialLookup = SqlCredentialLookup(engine)
        """Org-agnostic credential reads: for authenticating requests, nothing else."""

    def unit_of_work(self, principal: Principal) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, principal, self._clock, self.packet_cache)

    async def ping(self) -> None:
        """Round-trip to the database; ``StoreUnavailable`` if it does not answer."""
        connection = await begin_transaction(self.engine, read_only=True)
        try:
            await connection.execute(text("SELECT 1"))
        finally:
            await connection.close()

    async def dispose(self) -> None:
        """Close every pooled connection (call once, at shutdown)."""
        await self.engine.dispose()
