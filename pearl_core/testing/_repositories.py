"""In-memory repositories for identity, projects, remediation, governance and operations.

Each one satisfies its protocol in :mod:`pearl_core.ports` with the SQL
store's semantics: another org's row is a missing row, duplicates are
``AlreadyExists``, updates of missing rows raise the resource's ``NotFound``,
project-bound rows need their project (``ProjectNotFound``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from pearl_core.domain.enums import (
    ApprovalStatus,
    ExceptionStatus,
    JobStatus,
    PromotionStatus,
    TaskPacketStatus,
)
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    Promotion,
)
from pearl_core.domain.identity import Org, ServiceAccount, Team, User
from pearl_core.domain.jobs import Job
from pearl_core.domain.project import Project
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.domain.reports import Report
from pearl_core.errors import (
    AlreadyExists,
    ApprovalNotFound,
    Conflict,
    ExceptionNotFound,
    Forbidden,
    NotFound,
    OrgNotFound,
    PearlError,
    ProjectNotFound,
    TaskPacketNotFound,
)
from pearl_core.testing._tables import Transaction, parse

_M = TypeVar("_M")

__all__ = [
    "MemoryApprovalRepository",
    "MemoryExceptionRepository",
    "MemoryJobRepository",
    "MemoryOrgRepository",
    "MemoryProjectRepository",
    "MemoryPromotionRepository",
    "MemoryRemediationSpecRepository",
    "MemoryReportRepository",
    "MemoryServiceAccountRepository",
    "MemoryTaskPacketRepository",
    "MemoryTeamRepository",
    "MemoryUserRepository",
]


def _require_own_org(tx: Transaction, org_id: str) -> None:
    if org_id != tx.org_id:
        raise Forbidden("cannot store an object of another org", org_id=org_id)


class MemoryOrgRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, org: Org) -> None:
        _require_own_org(self._tx, org.org_id)
        if not self._tx.insert("orgs", (), org):
            raise AlreadyExists("the org already exists", id=org.org_id)

    async def get(self) -> Org:
        doc = self._tx.doc("orgs")
        if doc is None:
            raise OrgNotFound(self._tx.org_id)
        return parse(Org, doc)


class MemoryTeamRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, team: Team) -> None:
        _require_own_org(self._tx, team.org_id)
        if not self._tx.insert("teams", (team.team_id,), team):
            raise AlreadyExists("the team already exists", id=team.team_id)

    async def get(self, team_id: str) -> Team:
        doc = self._tx.doc("teams", team_id)
        if doc is None:
            raise NotFound(team_id)
        return parse(Team, doc)

    async def list(self) -> list[Team]:
        return [parse(Team, doc) for doc in self._tx.docs("teams")]


class MemoryUserRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, user: User) -> None:
        _require_own_org(self._tx, user.org_id)
        if not self._tx.insert("users", (user.user_id,), user, email=user.email.lower()):
            raise AlreadyExists("a user with this id or email exists", id=user.user_id)

    async def get(self, user_id: str) -> User:
        doc = self._tx.doc("users", user_id)
        if doc is None:
            raise NotFound(user_id)
        return parse(User, doc)

    async def by_email(self, email: str) -> User | None:
        docs = self._tx.docs("users", limit=1, email=email.lower())
        return parse(User, docs[0]) if docs else None

    async def list(self) -> list[User]:
        return [parse(User, doc) for doc in self._tx.docs("users")]

    async def update(self, user: User) -> None:
        if user.org_id != self._tx.org_id or not self._tx.update(
            "users", (user.user_id,), user, email=user.email.lower()
        ):
            raise NotFound(user.user_id)


class MemoryServiceAccountRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, account: ServiceAccount) -> None:
        _require_own_org(self._tx, account.org_id)
        key = (account.service_account_id,)
        if not self._tx.insert("service_accounts", key, account, name=account.name):
            raise AlreadyExists(
                "a service account with this id or name exists", id=account.service_account_id
            )

    async def get(self, service_account_id: str) -> ServiceAccount:
        doc = self._tx.doc("service_accounts", service_account_id)
        if doc is None:
            raise NotFound(service_account_id)
        return parse(ServiceAccount, doc)

    async def by_name(self, name: str) -> ServiceAccount | None:
        docs = self._tx.docs("service_accounts", limit=1, name=name)
        return parse(ServiceAccount, docs[0]) if docs else None

    async def list(self) -> list[ServiceAccount]:
        return [parse(ServiceAccount, doc) for doc in self._tx.docs("service_accounts")]

    async def update(self, account: ServiceAccount) -> None:
        key = (account.service_account_id,)
        if account.org_id != self._tx.org_id or not self._tx.update(
            "service_accounts", key, account, name=account.name
        ):
            raise NotFound(account.service_account_id)


class MemoryProjectRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, project: Project) -> None:
        if not self._tx.insert("projects", (project.project_id,), project):
            raise AlreadyExists("the project already exists", id=project.project_id)

    async def get(self, project_id: str) -> Project:
        doc = self._tx.doc("projects", project_id)
        if doc is None:
            raise ProjectNotFound(project_id)
        return parse(Project, doc)

    async def list(self, *, limit: int = 100, offset: int = 0) -> list[Project]:
        return [parse(Project, d) for d in self._tx.docs("projects", limit=limit, offset=offset)]

    async def count(self) -> int:
        return len(self._tx.rows("projects"))

    async def update(self, project: Project) -> None:
        if not self._tx.update("projects", (project.project_id,), project):
            raise ProjectNotFound(project.project_id)


class MemoryRemediationSpecRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, spec: RemediationSpec) -> None:
        key = (spec.remediation_spec_id,)
        if not self._tx.insert("remediation_specs", key, spec, project_id=spec.project_id):
            raise AlreadyExists("the remediation spec exists", id=spec.remediation_spec_id)

    async def add_many(self, specs: Sequence[RemediationSpec]) -> None:
        await _all_or_none(self._tx, "remediation_specs", self.add, specs)

    async def get(self, remediation_spec_id: str) -> RemediationSpec:
        doc = self._tx.doc("remediation_specs", remediation_spec_id)
        if doc is None:
            raise NotFound(remediation_spec_id)
        return parse(RemediationSpec, doc)

    async def list(self, *, project_id: str | None = None) -> list[RemediationSpec]:
        docs = self._tx.docs("remediation_specs", project_id=project_id)
        return [parse(RemediationSpec, doc) for doc in docs]


class MemoryTaskPacketRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, packet: TaskPacket) -> None:
        key = (packet.task_packet_id,)
        if not self._tx.insert("task_packets", key, packet, **_status_cols(packet)):
            raise AlreadyExists("the task packet exists", id=packet.task_packet_id)

    async def add_many(self, packets: Sequence[TaskPacket]) -> None:
        await _all_or_none(self._tx, "task_packets", self.add, packets)

    async def get(self, task_packet_id: str) -> TaskPacket:
        doc = self._tx.doc("task_packets", task_packet_id)
        if doc is None:
            raise TaskPacketNotFound(task_packet_id)
        return parse(TaskPacket, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[TaskPacketStatus] | None = None,
    ) -> list[TaskPacket]:
        docs = self._tx.docs("task_packets", statuses=statuses, project_id=project_id)
        return [parse(TaskPacket, doc) for doc in docs]

    async def update(self, packet: TaskPacket, *, expected: TaskPacket | None = None) -> None:
        key = (packet.task_packet_id,)
        expect = None if expected is None else expected.model_dump_json()
        if not self._tx.update(
            "task_packets", key, packet, expect_doc=expect, **_status_cols(packet)
        ):
            if expected is not None:
                raise Conflict("the task packet changed meanwhile", id=packet.task_packet_id)
            raise TaskPacketNotFound(packet.task_packet_id)


async def _all_or_none(
    tx: Transaction, table: str, add: Callable[[_M], Awaitable[None]], items: Sequence[_M]
) -> None:
    """``add`` each item in order; the first failure undoes the batch (as the SQL
    store's savepoint does) and is raised."""
    savepoint = tx.savepoint(table)
    try:
        for item in items:
            await add(item)
    except PearlError:
        tx.rollback_to(savepoint)
        raise


def _status_cols(
    entity: TaskPacket | ApprovalRequest | ExceptionRecord | Promotion,
) -> dict[str, str]:
    return {"project_id": entity.project_id, "status": entity.status.value}


class MemoryApprovalRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, request: ApprovalRequest) -> None:
        key = (request.approval_request_id,)
        if not self._tx.insert("approval_requests", key, request, **_status_cols(request)):
            raise AlreadyExists("the approval request exists", id=request.approval_request_id)

    async def get(self, approval_request_id: str) -> ApprovalRequest:
        doc = self._tx.doc("approval_requests", approval_request_id)
        if doc is None:
            raise ApprovalNotFound(approval_request_id)
        return parse(ApprovalRequest, doc)

    async def list(
        self, *, statuses: Sequence[ApprovalStatus] | None = None
    ) -> list[ApprovalRequest]:
        docs = self._tx.docs("approval_requests", statuses=statuses)
        return [parse(ApprovalRequest, doc) for doc in docs]

    async def update(
        self, request: ApprovalRequest, *, expected: ApprovalRequest | None = None
    ) -> None:
        key = (request.approval_request_id,)
        expect = None if expected is None else expected.model_dump_json()
        if not self._tx.update(
            "approval_requests", key, request, expect_doc=expect, **_status_cols(request)
        ):
            if expected is not None:
                raise Conflict(
                    "the approval request changed meanwhile", id=request.approval_request_id
                )
            raise ApprovalNotFound(request.approval_request_id)

    async def record_decision(self, decision: ApprovalDecision) -> None:
        """Store the request's one decision; a second one is a ``Conflict``."""
        request_id = decision.approval_request_id
        await self.get(request_id)
        if not self._tx.insert("approval_decisions", (request_id,), decision):
            raise Conflict("the approval request is already decided", id=request_id)

    async def decision_for(self, approval_request_id: str) -> ApprovalDecision | None:
        doc = self._tx.doc("approval_decisions", approval_request_id)
        return None if doc is None else parse(ApprovalDecision, doc)


class MemoryExceptionRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, record: ExceptionRecord) -> None:
        key = (record.exception_id,)
        if not self._tx.insert("exceptions", key, record, **_status_cols(record)):
            raise AlreadyExists("the exception exists", id=record.exception_id)

    async def get(self, exception_id: str) -> ExceptionRecord:
        doc = self._tx.doc("exceptions", exception_id)
        if doc is None:
            raise ExceptionNotFound(exception_id)
        return parse(ExceptionRecord, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[ExceptionStatus] | None = None,
    ) -> list[ExceptionRecord]:
        docs = self._tx.docs("exceptions", statuses=statuses, project_id=project_id)
        return [parse(ExceptionRecord, doc) for doc in docs]

    async def update(self, record: ExceptionRecord) -> None:
        key = (record.exception_id,)
        if not self._tx.update("exceptions", key, record, **_status_cols(record)):
            raise ExceptionNotFound(record.exception_id)


class MemoryPromotionRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, promotion: Promotion) -> None:
        key = (promotion.promotion_id,)
        if not self._tx.insert("promotions", key, promotion, **_status_cols(promotion)):
            raise AlreadyExists("the promotion exists", id=promotion.promotion_id)

    async def get(self, promotion_id: str) -> Promotion:
        doc = self._tx.doc("promotions", promotion_id)
        if doc is None:
            raise NotFound(promotion_id)
        return parse(Promotion, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[PromotionStatus] | None = None,
    ) -> list[Promotion]:
        docs = self._tx.docs("promotions", statuses=statuses, project_id=project_id)
        return [parse(Promotion, doc) for doc in docs]

    async def update(self, promotion: Promotion) -> None:
        key = (promotion.promotion_id,)
        if not self._tx.update("promotions", key, promotion, **_status_cols(promotion)):
            raise NotFound(promotion.promotion_id)


class MemoryJobRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, job: Job) -> None:
        """Store a new job; ``AlreadyExists`` if its id or idempotency key is taken."""
        if not self._tx.insert("jobs", (job.job_id,), job, **_job_cols(job)):
            raise AlreadyExists(
                "a job with this id or idempotency key exists",
                id=job.job_id,
                idempotency_key=job.idempotency_key,
            )

    async def get(self, job_id: str) -> Job:
        doc = self._tx.doc("jobs", job_id)
        if doc is None:
            raise NotFound(job_id)
        return parse(Job, doc)

    async def list(self, *, statuses: Sequence[JobStatus] | None = None) -> list[Job]:
        return [parse(Job, doc) for doc in self._tx.docs("jobs", statuses=statuses)]

    async def update(self, job: Job) -> None:
        if not self._tx.update("jobs", (job.job_id,), job, **_job_cols(job)):
            raise NotFound(job.job_id)


def _job_cols(job: Job) -> dict[str, str | None]:
    return {
        "project_id": job.project_id,
        "status": job.status.value,
        "idempotency_key": job.idempotency_key,
    }


class MemoryReportRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, report: Report) -> None:
        key = (report.report_id,)
        if not self._tx.insert("reports", key, report, project_id=report.project_id):
            raise AlreadyExists("the report exists", id=report.report_id)

    async def get(self, report_id: str) -> Report:
        doc = self._tx.doc("reports", report_id)
        if doc is None:
            raise NotFound(report_id)
        return parse(Report, doc)

    async def list(self, *, project_id: str | None = None) -> list[Report]:
        return [parse(Report, doc) for doc in self._tx.docs("reports", project_id=project_id)]
