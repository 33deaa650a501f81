"""Ports: the interfaces services depend on, satisfied structurally by adapters.

``pearl_core.store`` implements them on SQLAlchemy (SQLite, PostgreSQL) and
``pearl_core.testing`` in memory; both pass the same contract tests.

Every repository is bound to the acting principal's org when the unit of work
is opened: no method takes an org id, and a row of another org behaves
exactly like a missing one (``get`` raises the resource's ``NotFound``,
``list``/``count`` never see it, ``update`` raises ``NotFound``).

The repositories live in three submodules: :mod:`~pearl_core.ports.identity`
(identity and credentials), :mod:`~pearl_core.ports.context` (projects,
context documents, findings) and :mod:`~pearl_core.ports.work` (the
remediation loop and governance); this package holds the unit of work that
binds them and re-exports every name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, Protocol, Self

from pearl_core.domain.audit import AuditEvent, AuditOutcome
from pearl_core.domain.identity import Principal
from pearl_core.ports.context import (
    ApplicationSpecRepository,
    CompiledPackageRepository,
    EnvironmentProfileRepository,
    FindingIndexEntry,
    FindingRepository,
    IngestRunRepository,
    OrgBaselineRepository,
    ProjectRepository,
)
from pearl_core.ports.identity import (
    MAX_LOGINS_PER_EMAIL,
    ApiKeyGrant,
    ApiKeyRepository,
    CredentialLookup,
    OrgRepository,
    PasswordRepository,
    RefreshGrant,
    RefreshTokenRepository,
    ServiceAccountRepository,
    TeamRepository,
    UserLogin,
    UserRepository,
)
from pearl_core.ports.work import (
    ApprovalRepository,
    DecisionLogRepository,
    ExceptionRepository,
    JobRepository,
    PromotionRepository,
    RemediationSpecRepository,
    ReportRepository,
    TaskPacketRepository,
)

__all__ = [
    "MAX_LOGINS_PER_EMAIL",
    "ApiKeyGrant",
    "ApiKeyRepository",
    "ApplicationSpecRepository",
    "ApprovalRepository",
    "AuditLog",
    "ChainHead",
    "CompiledPackageRepository",
    "CredentialLookup",
    "DecisionLogRepository",
    "EnvironmentProfileRepository",
    "ExceptionRepository",
    "FindingIndexEntry",
    "FindingRepository",
    "IngestRunRepository",
    "JobRepository",
    "OrgBaselineRepository",
    "OrgRepository",
    "PasswordRepository",
    "ProjectRepository",
    "PromotionRepository",
    "RefreshGrant",
    "RefreshTokenRepository",
    "RemediationSpecRepository",
    "ReportRepository",
    "ServiceAccountRepository",
    "SessionStore",
    "TaskPacketRepository",
    "TeamRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserLogin",
    "UserRepository",
]


class ChainHead(Protocol):
    seq: int
    hash: str


class AuditLog(Protocol):
    """Append-only, hash-chained audit log of the principal's org."""

    async def record(
        self,
        action: str,
        *,
        resource_type: str,
        resource_id: str,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Append an event by the acting principal, in this unit of work's transaction."""
        ...

    def events(self, *, after_seq: int = 0, batch_size: int = 1000) -> AsyncIterator[AuditEvent]:
        """Every event in sequence order, streamed in batches."""
        ...

    async def head(self) -> tuple[int, str]:
        """``(last seq, last hash)`` as recorded beside the log; ``(0, GENESIS)`` if empty."""
        ...


class UnitOfWork(Protocol):
    """One transaction. ``async with uow:`` rolls back unless ``commit()`` ran.

    ``commit()`` refuses (``IntegrityViolation``) when the transaction changed
    state but recorded no audit event: no state change without an audit record.
    Decision-log records are not state changes (see :class:`DecisionLogRepository`).
    """

    principal: Principal
    orgs: OrgRepository
    teams: TeamRepository
    users: UserRepository
    service_accounts: ServiceAccountRepository
    api_keys: ApiKeyRepository
    passwords: PasswordRepository
    refresh_tokens: RefreshTokenRepository
    projects: ProjectRepository
    org_baselines: OrgBaselineRepository
    app_specs: ApplicationSpecRepository
    environment_profiles: EnvironmentProfileRepository
    compiled_packages: CompiledPackageRepository
    findings: FindingRepository
    ingest_runs: IngestRunRepository
    remediation_specs: RemediationSpecRepository
    task_packets: TaskPacketRepository
    approvals: ApprovalRepository
    exceptions: ExceptionRepository
    promotions: PromotionRepository
    jobs: JobRepository
    reports: ReportRepository
    decisions: DecisionLogRepository
    audit: AuditLog

    def reading(self) -> Self:
        """This unit of work, to be opened for reads only: ``async with uow.reading():``.

        Any write in it is refused (``IntegrityViolation``), and on SQLite the
        transaction takes no write lock, so reads never queue behind a writer.
        """
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[Principal], UnitOfWork]
"""Opens a unit of work acting as (and scoped to the org of) a principal."""


class SessionStore(Protocol):
    """A store as the account and session services use it, before a principal exists:
    units of work and the org-agnostic credential reads (``SqlStore``, ``InMemoryStore``)."""

    @property
    def credentials(self) -> CredentialLookup: ...

    def unit_of_work(self, principal: Principal) -> UnitOfWork: ...
