"""Ports: the interfaces services depend on, satisfied structurally by adapters.

``pearl_core.store`` implements them on SQLAlchemy (SQLite, PostgreSQL) and
``pearl_core.testing`` in memory; both pass the same contract tests.

Every repository is bound to the acting principal's org when the unit of work
is opened: no method takes an org id, and a row of another org behaves
exactly like a missing one (``get`` raises the resource's ``NotFound``,
``list``/``count`` never see it, ``update`` raises ``NotFound``).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Protocol, Self

from pearl_core.domain.audit import AuditEvent, AuditOutcome
from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.decisions import DecisionRecord
from pearl_core.domain.enums import (
    ApprovalStatus,
    Environment,
    ExceptionStatus,
    FindingStatus,
    JobStatus,
    PromotionStatus,
    RiskLevel,
    TaskPacketStatus,
)
from pearl_core.domain.findings import Finding
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    Promotion,
)
from pearl_core.domain.identity import Org, Principal, ServiceAccount, Team, User
from pearl_core.domain.ingest import IngestRun
from pearl_core.domain.jobs import Job
from pearl_core.domain.project import Project
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.domain.reports import Report
from pearl_core.domain.sessions import RefreshTokenRecord

__all__ = [
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


class OrgRepository(Protocol):
    async def add(self, org: Org) -> None:
        """Create the principal's own org (``org.org_id`` must be the principal's)."""
        ...

    async def get(self) -> Org:
        """The principal's org; ``OrgNotFound`` if it was never created."""
        ...


class TeamRepository(Protocol):
    async def add(self, team: Team) -> None: ...
    async def get(self, team_id: str) -> Team: ...
    async def list(self) -> builtins.list[Team]: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: str) -> User: ...
    async def by_email(self, email: str) -> User | None: ...
    async def list(self) -> builtins.list[User]: ...
    async def update(self, user: User) -> None: ...


class ServiceAccountRepository(Protocol):
    async def add(self, account: ServiceAccount) -> None: ...
    async def get(self, service_account_id: str) -> ServiceAccount: ...
    async def by_name(self, name: str) -> ServiceAccount | None: ...
    async def list(self) -> builtins.list[ServiceAccount]: ...
    async def update(self, account: ServiceAccount) -> None: ...


class PasswordRepository(Protocol):
    """The org's users' password hashes, kept apart from :class:`User` documents."""

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Store (or replace) the user's hash; ``NotFound`` without the user."""
        ...

    async def password_hash_for(self, user_id: str) -> str | None:
        """The user's stored hash; None if the user has no password (or no such user)."""
        ...


class RefreshTokenRepository(Protocol):
    """Refresh-token records of the org's sessions (see :mod:`pearl_core.domain.sessions`)."""

    async def add(self, record: RefreshTokenRecord) -> None:
        """Store a new record; ``AlreadyExists`` if its jti is taken (in any org),
        ``NotFound`` without its user."""
        ...

    async def find(self, jti: str) -> RefreshTokenRecord | None:
        """The record with this jti in this org, or None."""
        ...

    async def family(self, family_id: str) -> builtins.list[RefreshTokenRecord]:
        """Every record of one session family, oldest first."""
        ...

    async def mark_used(self, jti: str, *, used_at: datetime, replaced_by: str) -> bool:
        """Compare-and-set: mark the token used (replaced by ``replaced_by``) only if
        it is neither used nor revoked. False when it was, so of two concurrent
        refreshes with one token exactly one succeeds."""
        ...

    async def revoke_family(self, family_id: str, *, at: datetime) -> int:
        """Revoke every not yet revoked token of the family; how many were."""
        ...

    async def revoke_subject(self, subject_id: str, *, at: datetime) -> int:
        """Revoke every not yet revoked token of the user's sessions; how many were."""
        ...


class ApiKeyRepository(Protocol):
    """API keys of the org's service accounts (see :mod:`pearl_core.domain.credentials`)."""

    async def add(self, key: ApiKey) -> None:
        """Store a new key; ``AlreadyExists`` if its key id is taken (in any org),
        ``NotFound`` without its service account."""
        ...

    async def get(self, key_id: str) -> ApiKey:
        """The key; ``ApiKeyNotFound`` if absent in this org."""
        ...

    async def list(self, *, principal_id: str | None = None) -> builtins.list[ApiKey]:
        """The org's keys (of one service account, if given), oldest first."""
        ...

    async def update(self, key: ApiKey) -> None:
        """Replace a stored key (revocation); ``ApiKeyNotFound`` if absent."""
        ...


@dataclass(frozen=True, slots=True)
class ApiKeyGrant:
    """What authenticating with an API key needs: the key and the account it acts as."""

    key: ApiKey
    account: ServiceAccount


MAX_LOGINS_PER_EMAIL: Final = 5
"""One email may have a password in several orgs; sign-in tries at most this many."""


@dataclass(frozen=True, slots=True)
class UserLogin:
    """What signing in with a password needs: the user and their password hash."""

    user: User
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    """What refreshing a session needs: the presented token's record and its user."""

    token: RefreshTokenRecord
    user: User


class CredentialLookup(Protocol):
    """Org-agnostic credential reads, for authenticating a request before its org is known.

    The one exception to org-bound repositories, used only by
    :func:`~pearl_core.services.credentials.resolve_api_key`,
    :func:`~pearl_core.services.accounts.authenticate_password` and the session
    services: a key id, an email or a token id is the only thing they are
    given, and the org is what they find out.
    """

    async def api_key(self, key_id: str) -> ApiKeyGrant | None:
        """The key with this id and its service account, whatever their org; or None."""
        ...

    async def touch_api_key(self, key: ApiKey, used_at: datetime) -> None:
        """Record that ``key`` (as read) was used at ``used_at``.

        Bookkeeping, not a governed state change: it writes no audit event, and
        only if the stored key is still ``key`` (a concurrent revocation wins).
        """
        ...

    async def user_logins(self, email: str, *, org_id: str | None = None) -> list[UserLogin]:
        """Users with a password whose email is ``email`` (case-insensitive), in
        ``org_id`` if given, else in any org (one email may have a password in
        several orgs; at most a handful are returned, oldest first)."""
        ...

    async def user_by_email(self, org_id: str, email: str) -> User | None:
        """The user of ``org_id`` whose email is ``email`` (case-insensitive), or None:
        how a trusted identity provider's person is linked to a PeaRL user."""
        ...

    async def refresh_token(self, jti: str) -> RefreshGrant | None:
        """The refresh-token record with this jti and its user, whatever the org; or None."""
        ...


class ProjectRepository(Protocol):
    async def add(self, project: Project) -> None:
        """Store a new project; ``AlreadyExists`` if the id is taken in this org."""
        ...

    async def get(self, project_id: str) -> Project:
        """The project; ``ProjectNotFound`` if absent in this org."""
        ...

    async def list(self, *, limit: int = 100, offset: int = 0) -> builtins.list[Project]: ...
    async def count(self) -> int: ...
    async def update(self, project: Project) -> None: ...


class OrgBaselineRepository(Protocol):
    """Versioned: each changed ``put`` stores a new immutable version."""

    async def put(
        self, baseline: OrgBaseline, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        """Store ``baseline`` (org-wide, or bound to one project). Identical content
        returns the current version and stores nothing."""
        ...

    async def get(self, baseline_id: str, *, version: int | None = None) -> OrgBaseline: ...
    async def effective(self, project_id: str | None = None) -> OrgBaseline:
        """The project's own baseline if it has one, else the org-wide one."""
        ...

    async def history(self, baseline_id: str) -> list[DocumentVersion]: ...


class ApplicationSpecRepository(Protocol):
    async def put(
        self, project_id: str, spec: ApplicationSpec, *, reason: str
    ) -> DocumentVersion: ...
    async def get(self, project_id: str, *, version: int | None = None) -> ApplicationSpec: ...
    async def history(self, project_id: str) -> list[DocumentVersion]: ...


class EnvironmentProfileRepository(Protocol):
    async def put(
        self, profile: EnvironmentProfile, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion: ...
    async def get(self, profile_id: str, *, version: int | None = None) -> EnvironmentProfile: ...
    async def effective(
        self, environment: Environment, project_id: str | None = None
    ) -> EnvironmentProfile:
        """The project's profile for ``environment`` if any, else the org-wide one."""
        ...

    async def list(self) -> builtins.list[EnvironmentProfile]:
        """Current version of every profile in the org."""
        ...

    async def history(self, profile_id: str) -> builtins.list[DocumentVersion]: ...


class CompiledPackageRepository(Protocol):
    async def add(self, package: CompiledContextPackage) -> None: ...
    async def get(self, package_id: str) -> CompiledContextPackage: ...
    async def latest(
        self, project_id: str, environment: Environment
    ) -> CompiledContextPackage | None: ...


@dataclass(frozen=True, slots=True)
class FindingIndexEntry:
    """What ingest needs to know about a stored finding, without its document.

    ``content_hash`` is :meth:`Finding.content_digest` as stored (``None`` for a
    row written before PeaRL kept it: the next scan that sees it rewrites it).
    """

    finding_id: str
    fingerprint: str
    cross_tool_key: str | None
    tool_name: str
    status: FindingStatus
    content_hash: str | None


class FindingRepository(Protocol):
    async def add(self, finding: Finding) -> None:
        """Store a new finding; ``AlreadyExists`` if its id, or its fingerprint in
        the project environment, is taken; ``ProjectNotFound`` without its project."""
        ...

    async def add_many(self, findings: Sequence[Finding]) -> None:
        """Store new findings, all or none: ``AlreadyExists`` (``details["ids"]``
        naming the refused ones) or ``ProjectNotFound``, and nothing of the batch kept."""
        ...

    async def get(self, finding_id: str) -> Finding: ...
    async def by_ids(self, finding_ids: Sequence[str]) -> builtins.list[Finding]:
        """The org's findings with these ids, in the order asked; missing ids are skipped."""
        ...

    async def by_fingerprint(
        self, project_id: str, environment: Environment, fingerprint: str
    ) -> Finding | None: ...
    async def scope_index(
        self, project_id: str, environment: Environment, *, for_update: bool = False
    ) -> builtins.list[FindingIndexEntry]:
        """Every finding of the project environment, lean (no documents parsed), in
        listing order: what an ingest matches a report against.

        ``for_update`` also locks the project until the unit of work ends, so
        two ingests into one project run one after the other (PostgreSQL:
        ``FOR UPDATE`` on the project row; SQLite's write lock and the
        in-memory store's commit-time conflict check already serialise them).
        """
        ...

    async def list(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Finding]:
        """Findings matching every given filter (``None``: any; an empty sequence
        matches nothing), oldest stored first."""
        ...

    async def count(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
    ) -> int: ...
    async def update(self, finding: Finding) -> None:
        """Replace a stored finding; ``FindingNotFound`` if absent, ``Conflict`` if
        its new fingerprint collides with another finding's."""
        ...

    async def update_many(self, findings: Sequence[Finding]) -> None:
        """Replace many stored findings, all or none: ``FindingNotFound`` naming the
        first absent one, ``Conflict`` on a fingerprint collision."""
        ...


class IngestRunRepository(Protocol):
    async def add(self, run: IngestRun) -> None:
        """Store a run; ``AlreadyExists`` if its id or idempotency key is taken,
        ``ProjectNotFound`` without its project."""
        ...

    async def get(self, ingest_id: str) -> IngestRun:
        """The run; ``NotFound`` if absent in this org."""
        ...

    async def by_idempotency_key(self, key: str) -> IngestRun | None: ...


class RemediationSpecRepository(Protocol):
    async def add(self, spec: RemediationSpec) -> None: ...
    async def add_many(self, specs: Sequence[RemediationSpec]) -> None:
        """Store new specs in one batch, all or none (``already_exists`` if any id is taken)."""
        ...

    async def get(self, remediation_spec_id: str) -> RemediationSpec: ...
    async def list(self, *, project_id: str | None = None) -> builtins.list[RemediationSpec]: ...


class TaskPacketRepository(Protocol):
    async def add(self, packet: TaskPacket) -> None: ...
    async def add_many(self, packets: Sequence[TaskPacket]) -> None:
        """Store new packets in one batch, all or none."""
        ...

    async def get(self, task_packet_id: str) -> TaskPacket: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[TaskPacketStatus] | None = None,
    ) -> builtins.list[TaskPacket]: ...
    async def update(self, packet: TaskPacket, *, expected: TaskPacket | None = None) -> None:
        """Store ``packet``. With ``expected`` (the version read in this unit of
        work), only if the stored packet is still that: otherwise ``Conflict``,
        so of two concurrent claims or consumptions exactly one wins."""
        ...


class ApprovalRepository(Protocol):
    async def add(self, request: ApprovalRequest) -> None: ...
    async def get(self, approval_request_id: str) -> ApprovalRequest: ...
    async def list(
        self, *, statuses: Sequence[ApprovalStatus] | None = None
    ) -> builtins.list[ApprovalRequest]: ...
    async def update(
        self, request: ApprovalRequest, *, expected: ApprovalRequest | None = None
    ) -> None:
        """Store ``request``; with ``expected``, compare-and-set (see packets)."""
        ...

    async def record_decision(self, decision: ApprovalDecision) -> None:
        """Store the one decision of a request; a second one is a ``Conflict``."""
        ...

    async def decision_for(self, approval_request_id: str) -> ApprovalDecision | None: ...


class ExceptionRepository(Protocol):
    async def add(self, record: ExceptionRecord) -> None: ...
    async def get(self, exception_id: str) -> ExceptionRecord: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[ExceptionStatus] | None = None,
    ) -> builtins.list[ExceptionRecord]: ...
    async def update(self, record: ExceptionRecord) -> None: ...


class PromotionRepository(Protocol):
    async def add(self, promotion: Promotion) -> None: ...
    async def get(self, promotion_id: str) -> Promotion: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[PromotionStatus] | None = None,
    ) -> builtins.list[Promotion]: ...
    async def update(self, promotion: Promotion) -> None: ...


class JobRepository(Protocol):
    async def add(self, job: Job) -> None: ...
    async def get(self, job_id: str) -> Job: ...
    async def list(self, *, statuses: Sequence[JobStatus] | None = None) -> builtins.list[Job]: ...
    async def update(self, job: Job) -> None: ...


class ReportRepository(Protocol):
    async def add(self, report: Report) -> None: ...
    async def get(self, report_id: str) -> Report: ...
    async def list(self, *, project_id: str | None = None) -> builtins.list[Report]: ...


class DecisionLogRepository(Protocol):
    """The decision log: one immutable record per policy evaluation.

    Writing a record is not a state change of a governed object and needs no
    audit event (the record is itself the evidence): a unit of work that only
    logged decisions commits without one. It still commits or rolls back with
    the unit of work, so a decision logged beside a state change shares its fate.
    """

    async def add(self, record: DecisionRecord) -> None:
        """Store a record of the principal's org; ``AlreadyExists`` if its id is taken,
        ``Forbidden`` if it names another org."""
        ...

    async def add_many(self, records: Sequence[DecisionRecord]) -> None:
        """Log many records in one batch, all or none."""
        ...

    async def get(self, decision_id: str) -> DecisionRecord:
        """The record; ``NotFound`` if absent in this org."""
        ...

    def since(
        self,
        since: datetime,
        *,
        entrypoint: str | None = None,
        after_id: str | None = None,
        limit: int | None = None,
        batch_size: int = 500,
    ) -> AsyncIterator[DecisionRecord]:
        """Records decided at or after ``since`` (of one ``entrypoint``, if given), in
        ``(decided_at, decision_id)`` order, streamed in batches of ``batch_size``,
        at most ``limit`` of them.

        ``after_id`` resumes a walk: with ``since`` set to the last record's
        ``decided_at`` and ``after_id`` to its id, only records after it come.
        """
        ...


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
