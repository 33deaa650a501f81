"""Remediation specs, task packets, approvals, exceptions, promotions, jobs and reports."""

from __future__ import annotations

import pytest
import store_builders as b

from pearl_core.domain.enums import (
    ApprovalStatus,
    ExceptionStatus,
    JobStatus,
    PromotionStatus,
    TaskPacketStatus,
)
from pearl_core.errors import (
    AlreadyExists,
    ApprovalNotFound,
    Conflict,
    ExceptionNotFound,
    NotFound,
    TaskPacketNotFound,
)
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")
P, Q = "proj_1", "proj_2"


@pytest.fixture
async def projects(store: SqlStore) -> SqlStore:
    async def seed(uow: UnitOfWork) -> None:
        await uow.projects.add(b.project(1))
        await uow.projects.add(b.project(2))

    await b.committed(store, ME, seed)
    return store


async def test_remediation_specs_are_added_read_and_listed_by_project(projects: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.remediation_specs.add(b.remediation_spec(P, 1))
        await uow.remediation_specs.add(b.remediation_spec(Q, 2))

    await b.committed(projects, ME, add)

    assert await b.read(projects, ME, lambda u: u.remediation_specs.get("rs_1")) == (
        b.remediation_spec(P, 1)
    )
    assert await b.read(projects, ME, lambda u: u.remediation_specs.list(project_id=Q)) == [
        b.remediation_spec(Q, 2)
    ]
    assert len(await b.read(projects, ME, lambda u: u.remediation_specs.list())) == 2
    with pytest.raises(AlreadyExists):
        await b.committed(projects, ME, lambda u: u.remediation_specs.add(b.remediation_spec(P)))
    with pytest.raises(NotFound):
        await b.read(projects, ME, lambda u: u.remediation_specs.get("rs_9"))


async def test_task_packets_move_through_statuses(projects: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.task_packets.add(b.task_packet(P, 1))
        await uow.task_packets.add(b.task_packet(Q, 2))

    await b.committed(projects, ME, add)
    claimed = b.task_packet(P, 1, status=TaskPacketStatus.CLAIMED, denied_attempts=1)
    await b.committed(projects, ME, lambda u: u.task_packets.update(claimed))

    assert await b.read(projects, ME, lambda u: u.task_packets.get("tp_1")) == claimed
    available = await b.read(
        projects, ME, lambda u: u.task_packets.list(statuses=[TaskPacketStatus.AVAILABLE])
    )
    assert [p.task_packet_id for p in available] == ["tp_2"]
    assert await b.read(projects, ME, lambda u: u.task_packets.list(project_id=P)) == [claimed]
    with pytest.raises(TaskPacketNotFound):
        await b.committed(projects, ME, lambda u: u.task_packets.update(b.task_packet(P, 9)))


async def test_an_approval_request_takes_exactly_one_decision(projects: SqlStore) -> None:
    await b.committed(projects, ME, lambda u: u.approvals.add(b.approval_request(P)))
    assert await b.read(projects, ME, lambda u: u.approvals.decision_for("appr_1")) is None

    decision = b.approval_decision("appr_1")
    approved = b.approval_request(P, status=ApprovalStatus.APPROVED, decided_at=b.NOW)

    async def decide(uow: UnitOfWork) -> None:
        await uow.approvals.record_decision(decision)
        await uow.approvals.update(approved)

    await b.committed(projects, ME, decide)

    assert await b.read(projects, ME, lambda u: u.approvals.decision_for("appr_1")) == decision
    assert await b.read(projects, ME, lambda u: u.approvals.get("appr_1")) == approved
    with pytest.raises(Conflict) as caught:
        await b.committed(
            projects,
            ME,
            lambda u: u.approvals.record_decision(b.approval_decision("appr_1", "usr_2")),
        )
    assert caught.value.code == "conflict"


async def test_a_decision_needs_its_request(projects: SqlStore) -> None:
    with pytest.raises(ApprovalNotFound):
        await b.committed(
            projects, ME, lambda u: u.approvals.record_decision(b.approval_decision("appr_9"))
        )


async def test_approval_requests_are_listed_by_status(projects: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.approvals.add(b.approval_request(P, 1))
        await uow.approvals.add(b.approval_request(P, 2, status=ApprovalStatus.REJECTED))

    await b.committed(projects, ME, add)

    pending = await b.read(
        projects, ME, lambda u: u.approvals.list(statuses=[ApprovalStatus.PENDING])
    )
    assert [r.approval_request_id for r in pending] == ["appr_1"]
    assert len(await b.read(projects, ME, lambda u: u.approvals.list())) == 2
    with pytest.raises(ApprovalNotFound):
        await b.committed(projects, ME, lambda u: u.approvals.update(b.approval_request(P, 9)))


async def test_exceptions_are_added_listed_and_updated(projects: SqlStore) -> None:
    await b.committed(projects, ME, lambda u: u.exceptions.add(b.exception_record(P)))
    active = b.exception_record(P, status=ExceptionStatus.ACTIVE, approved_by=["usr_2"])

    await b.committed(projects, ME, lambda u: u.exceptions.update(active))

    assert await b.read(projects, ME, lambda u: u.exceptions.get("exc_1")) == active
    by_status = await b.read(
        projects, ME, lambda u: u.exceptions.list(project_id=P, statuses=[ExceptionStatus.ACTIVE])
    )
    assert by_status == [active]
    assert await b.read(projects, ME, lambda u: u.exceptions.list(project_id=Q)) == []
    with pytest.raises(ExceptionNotFound):
        await b.read(projects, ME, lambda u: u.exceptions.get("exc_9"))


async def test_promotions_are_added_listed_and_updated(projects: SqlStore) -> None:
    await b.committed(projects, ME, lambda u: u.promotions.add(b.promotion(P)))
    passed = b.promotion(P, status=PromotionStatus.GATE_PASSED, gate_decision_id="dec_1")

    await b.committed(projects, ME, lambda u: u.promotions.update(passed))

    assert await b.read(projects, ME, lambda u: u.promotions.get("prom_1")) == passed
    listed = await b.read(
        projects, ME, lambda u: u.promotions.list(statuses=[PromotionStatus.REQUESTED])
    )
    assert listed == []
    assert await b.read(projects, ME, lambda u: u.promotions.list(project_id=P)) == [passed]
    with pytest.raises(AlreadyExists):
        await b.committed(projects, ME, lambda u: u.promotions.add(b.promotion(P)))
    with pytest.raises(NotFound):
        await b.committed(projects, ME, lambda u: u.promotions.update(b.promotion(P, 9)))


async def test_jobs_are_unique_by_id_and_idempotency_key(projects: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.jobs.add(b.job(1, idempotency_key="k1"))
        await uow.jobs.add(b.job(2, project_id=P))
        await uow.jobs.add(b.job(3))

    await b.committed(projects, ME, add)

    with pytest.raises(AlreadyExists):
        await b.committed(projects, ME, lambda u: u.jobs.add(b.job(4, idempotency_key="k1")))
    running = b.job(2, project_id=P, status=JobStatus.RUNNING, attempts=1)
    await b.committed(projects, ME, lambda u: u.jobs.update(running))
    assert await b.read(projects, ME, lambda u: u.jobs.get("job_2")) == running
    queued = await b.read(projects, ME, lambda u: u.jobs.list(statuses=[JobStatus.QUEUED]))
    assert [j.job_id for j in queued] == ["job_1", "job_3"]
    with pytest.raises(NotFound):
        await b.committed(projects, ME, lambda u: u.jobs.update(b.job(9)))


async def test_reports_are_added_and_listed_by_project(projects: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.reports.add(b.report(1, project_id=P))
        await uow.reports.add(b.report(2))

    await b.committed(projects, ME, add)

    assert await b.read(projects, ME, lambda u: u.reports.get("rpt_2")) == b.report(2)
    assert await b.read(projects, ME, lambda u: u.reports.list(project_id=P)) == [
        b.report(1, project_id=P)
    ]
    assert len(await b.read(projects, ME, lambda u: u.reports.list())) == 2
    with pytest.raises(AlreadyExists):
        await b.committed(projects, ME, lambda u: u.reports.add(b.report(1)))
    with pytest.raises(NotFound):
        await b.read(projects, ME, lambda u: u.reports.get("rpt_9"))
