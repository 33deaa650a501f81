"""Tenant isolation: through every repository method, another org's rows look missing.

Org B stores one of everything; org A, using the very same ids, must not be
able to read, list, count, update or hang anything off B's rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import store_builders as b

from pearl_core.domain.audit import GENESIS_HASH
from pearl_core.domain.enums import Environment, FindingStatus
from pearl_core.errors import (
    ApprovalNotFound,
    ExceptionNotFound,
    FindingNotFound,
    Forbidden,
    NotFound,
    OrgNotFound,
    ProjectNotFound,
    TaskPacketNotFound,
)
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore

pytestmark = pytest.mark.anyio

A = b.principal("org_a")
B = b.principal("org_b", "usr_b")
P = "proj_1"
DEV = Environment.DEV

Call = Callable[[UnitOfWork], Awaitable[Any]]


async def _seed_org_b(uow: UnitOfWork) -> None:
    await uow.orgs.add(b.org("org_b"))
    await uow.teams.add(b.team("org_b"))
    await uow.users.add(b.user("org_b"))
    await uow.service_accounts.add(b.service_account("org_b"))
    await uow.projects.add(b.project(1))
    await uow.org_baselines.put(b.baseline(1), reason="seed")
    await uow.org_baselines.put(b.baseline(2), reason="seed", project_id=P)
    await uow.app_specs.put(P, b.app_spec(), reason="seed")
    await uow.environment_profiles.put(b.profile(DEV), reason="seed")
    await uow.compiled_packages.add(b.package(P))
    await uow.findings.add(b.finding(P))
    await uow.remediation_specs.add(b.remediation_spec(P))
    await uow.task_packets.add(b.task_packet(P))
    await uow.approvals.add(b.approval_request(P))
    await uow.approvals.record_decision(b.approval_decision("appr_1"))
    await uow.exceptions.add(b.exception_record(P))
    await uow.promotions.add(b.promotion(P))
    await uow.jobs.add(b.job(project_id=P, idempotency_key="k1"))
    await uow.reports.add(b.report(project_id=P))


# (call made by org A, what it must give: an error class, or the value an empty org gives)
READS: dict[str, tuple[Call, Any]] = {
    "orgs.get": (lambda u: u.orgs.get(), OrgNotFound),
    "teams.get": (lambda u: u.teams.get("team_1"), NotFound),
    "teams.list": (lambda u: u.teams.list(), []),
    "users.get": (lambda u: u.users.get("usr_1"), NotFound),
    "users.by_email": (lambda u: u.users.by_email("user1@example.com"), None),
    "users.list": (lambda u: u.users.list(), []),
    "service_accounts.get": (lambda u: u.service_accounts.get("sa_1"), NotFound),
    "service_accounts.by_name": (lambda u: u.service_accounts.by_name("agent-1"), None),
    "service_accounts.list": (lambda u: u.service_accounts.list(), []),
    "projects.get": (lambda u: u.projects.get(P), ProjectNotFound),
    "projects.list": (lambda u: u.projects.list(), []),
    "projects.count": (lambda u: u.projects.count(), 0),
    "org_baselines.get": (lambda u: u.org_baselines.get("orgb_1"), NotFound),
    "org_baselines.get_version": (lambda u: u.org_baselines.get("orgb_1", version=1), NotFound),
    "org_baselines.effective": (lambda u: u.org_baselines.effective(), NotFound),
    "org_baselines.effective_project": (lambda u: u.org_baselines.effective(P), NotFound),
    "org_baselines.history": (lambda u: u.org_baselines.history("orgb_1"), []),
    "app_specs.get": (lambda u: u.app_specs.get(P), NotFound),
    "app_specs.history": (lambda u: u.app_specs.history(P), []),
    "environment_profiles.get": (lambda u: u.environment_profiles.get("envp_dev_1"), NotFound),
    "environment_profiles.effective": (lambda u: u.environment_profiles.effective(DEV), NotFound),
    "environment_profiles.list": (lambda u: u.environment_profiles.list(), []),
    "environment_profiles.history": (
        lambda u: u.environment_profiles.history("envp_dev_1"),
        [],
    ),
    "compiled_packages.get": (lambda u: u.compiled_packages.get("pkg_1"), NotFound),
    "compiled_packages.latest": (lambda u: u.compiled_packages.latest(P, DEV), None),
    "findings.get": (lambda u: u.findings.get("find_1"), FindingNotFound),
    "findings.by_fingerprint": (lambda u: u.findings.by_fingerprint(P, DEV, "fp_1"), None),
    "findings.list": (lambda u: u.findings.list(), []),
    "findings.list_filtered": (
        lambda u: u.findings.list(project_id=P, environment=DEV, statuses=[FindingStatus.OPEN]),
        [],
    ),
    "findings.count": (lambda u: u.findings.count(), 0),
    "findings.count_project": (lambda u: u.findings.count(project_id=P), 0),
    "remediation_specs.get": (lambda u: u.remediation_specs.get("rs_1"), NotFound),
    "remediation_specs.list": (lambda u: u.remediation_specs.list(project_id=P), []),
    "task_packets.get": (lambda u: u.task_packets.get("tp_1"), TaskPacketNotFound),
    "task_packets.list": (lambda u: u.task_packets.list(project_id=P), []),
    "approvals.get": (lambda u: u.approvals.get("appr_1"), ApprovalNotFound),
    "approvals.list": (lambda u: u.approvals.list(), []),
    "approvals.decision_for": (lambda u: u.approvals.decision_for("appr_1"), None),
    "exceptions.get": (lambda u: u.exceptions.get("exc_1"), ExceptionNotFound),
    "exceptions.list": (lambda u: u.exceptions.list(project_id=P), []),
    "promotions.get": (lambda u: u.promotions.get("prom_1"), NotFound),
    "promotions.list": (lambda u: u.promotions.list(project_id=P), []),
    "jobs.get": (lambda u: u.jobs.get("job_1"), NotFound),
    "jobs.list": (lambda u: u.jobs.list(), []),
    "reports.get": (lambda u: u.reports.get("rpt_1"), NotFound),
    "reports.list": (lambda u: u.reports.list(project_id=P), []),
    "audit.head": (lambda u: u.audit.head(), (0, GENESIS_HASH)),
    "audit.events": (lambda u: _collect(u.audit.events()), []),
}

WRITES: dict[str, tuple[Call, type[Exception]]] = {
    "users.update": (lambda u: u.users.update(b.user("org_a")), NotFound),
    "users.update_foreign": (lambda u: u.users.update(b.user("org_b")), NotFound),
    "service_accounts.update": (
        lambda u: u.service_accounts.update(b.service_account("org_b")),
        NotFound,
    ),
    "projects.update": (lambda u: u.projects.update(b.project(1)), ProjectNotFound),
    "findings.update": (lambda u: u.findings.update(b.finding(P)), FindingNotFound),
    "task_packets.update": (lambda u: u.task_packets.update(b.task_packet(P)), TaskPacketNotFound),
    "approvals.update": (lambda u: u.approvals.update(b.approval_request(P)), ApprovalNotFound),
    "approvals.record_decision": (
        lambda u: u.approvals.record_decision(b.approval_decision("appr_1")),
        ApprovalNotFound,
    ),
    "exceptions.update": (lambda u: u.exceptions.update(b.exception_record(P)), ExceptionNotFound),
    "promotions.update": (lambda u: u.promotions.update(b.promotion(P)), NotFound),
    "jobs.update": (lambda u: u.jobs.update(b.job()), NotFound),
    # Hanging rows off the other org's project.
    "findings.add": (lambda u: u.findings.add(b.finding(P)), ProjectNotFound),
    "compiled_packages.add": (lambda u: u.compiled_packages.add(b.package(P)), ProjectNotFound),
    "remediation_specs.add": (
        lambda u: u.remediation_specs.add(b.remediation_spec(P)),
        ProjectNotFound,
    ),
    "task_packets.add": (lambda u: u.task_packets.add(b.task_packet(P)), ProjectNotFound),
    "approvals.add": (lambda u: u.approvals.add(b.approval_request(P)), ProjectNotFound),
    "exceptions.add": (lambda u: u.exceptions.add(b.exception_record(P)), ProjectNotFound),
    "promotions.add": (lambda u: u.promotions.add(b.promotion(P)), ProjectNotFound),
    "jobs.add": (lambda u: u.jobs.add(b.job(project_id=P)), ProjectNotFound),
    "reports.add": (lambda u: u.reports.add(b.report(project_id=P)), ProjectNotFound),
    "app_specs.put": (lambda u: u.app_specs.put(P, b.app_spec(), reason="x"), ProjectNotFound),
    "org_baselines.put_project": (
        lambda u: u.org_baselines.put(b.baseline(3), reason="x", project_id=P),
        ProjectNotFound,
    ),
    # Storing an object that names another org.
    "orgs.add": (lambda u: u.orgs.add(b.org("org_b")), Forbidden),
    "teams.add": (lambda u: u.teams.add(b.team("org_b")), Forbidden),
    "users.add": (lambda u: u.users.add(b.user("org_b")), Forbidden),
    "service_accounts.add": (
        lambda u: u.service_accounts.add(b.service_account("org_b")),
        Forbidden,
    ),
}


async def _collect(events: Any) -> list[Any]:
    return [event async for event in events]


@pytest.fixture
async def org_b_seeded(store: SqlStore) -> SqlStore:
    await b.committed(store, B, _seed_org_b)
    return store


@pytest.mark.parametrize("case", READS)
async def test_another_orgs_rows_look_missing_to_every_read(
    org_b_seeded: SqlStore, case: str
) -> None:
    call, expected = READS[case]
    async with org_b_seeded.unit_of_work(A) as uow:
        if isinstance(expected, type) and issubclass(expected, Exception):
            with pytest.raises(expected):
                await call(uow)
        else:
            assert await call(uow) == expected


@pytest.mark.parametrize("case", WRITES)
async def test_another_orgs_rows_cannot_be_changed_or_referenced(
    org_b_seeded: SqlStore, case: str
) -> None:
    call, expected = WRITES[case]
    with pytest.raises(expected):
        async with org_b_seeded.unit_of_work(A) as uow:
            await call(uow)


async def test_ids_are_per_org_namespaces(org_b_seeded: SqlStore) -> None:
    await b.committed(org_b_seeded, A, lambda u: u.projects.add(b.project(1, name="Mine")))

    assert (await b.read(org_b_seeded, A, lambda u: u.projects.get(P))).name == "Mine"
    assert (await b.read(org_b_seeded, B, lambda u: u.projects.get(P))).name == "Project 1"
    assert await b.read(org_b_seeded, A, lambda u: u.findings.count()) == 0
    assert await b.read(org_b_seeded, B, lambda u: u.findings.count()) == 1
