"""The fakes in ``pearl_core.testing`` keep the contract of ``pearl_core.ports``.

What holds for the SQL store holds here: rollback unless committed, no commit
of unaudited changes, org isolation on every repository, ``AlreadyExists`` and
``NotFound`` with the right codes, idempotent versioned ``put``, and a sealed,
linked audit chain. The factories build models that survive a JSON round trip.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from pearl_core.audit.chain import verify_chain
from pearl_core.clock import Clock
from pearl_core.domain.audit import GENESIS_HASH, AuditOutcome
from pearl_core.domain.enums import (
    Environment,
    FindingStatus,
    JobStatus,
    PrincipalKind,
    RiskLevel,
    Role,
    TaskPacketStatus,
)
from pearl_core.domain.identity import Principal
from pearl_core.domain.project import Project
from pearl_core.errors import (
    AlreadyExists,
    ApprovalNotFound,
    Conflict,
    ExceptionNotFound,
    FindingNotFound,
    Forbidden,
    IntegrityViolation,
    NotFound,
    OrgNotFound,
    ProjectNotFound,
    TaskPacketNotFound,
)
from pearl_core.ports import UnitOfWork, UnitOfWorkFactory
from pearl_core.testing import (
    DEFAULT_ORG_ID,
    DEFAULT_START,
    FakeClock,
    InMemoryStore,
    make_agent,
    make_app_spec,
    make_approval_decision,
    make_approval_request,
    make_compiled_package,
    make_environment_profile,
    make_exception,
    make_finding,
    make_human_reviewer,
    make_job,
    make_org,
    make_org_baseline,
    make_principal,
    make_project,
    make_promotion,
    make_remediation_spec,
    make_report,
    make_service_account,
    make_task_packet,
    make_team,
    make_user,
)
from pearl_core.trace import trace_scope

pytestmark = pytest.mark.anyio

ORG_A = "org_alpha"
ORG_B = "org_beta"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> InMemoryStore:
    return InMemoryStore(clock=clock)


@pytest.fixture
def alice() -> Principal:
    return make_principal(org_id=ORG_A, roles={Role.OPERATOR})


@pytest.fixture
def bob() -> Principal:
    return make_principal(org_id=ORG_B, roles={Role.OPERATOR})


async def audited(uow: UnitOfWork, resource_id: str = "x") -> None:
    await uow.audit.record("test.changed", resource_type="test", resource_id=resource_id)


async def add_project(store: InMemoryStore, principal: Principal, project: Project) -> Project:
    async with store.unit_of_work(principal) as uow:
        await uow.projects.add(project)
        await audited(uow, project.project_id)
        await uow.commit()
    return project


# -- the clock -----------------------------------------------------------------


def test_fake_clock_stands_still_until_advanced() -> None:
    clock = FakeClock()

    assert clock.now() == DEFAULT_START == clock.now()
    assert clock.advance(90) == DEFAULT_START + timedelta(seconds=90)
    assert clock.advance(timedelta(hours=1)) == DEFAULT_START + timedelta(hours=1, seconds=90)


def test_fake_clock_set_converts_to_utc_and_refuses_naive_times() -> None:
    clock = FakeClock()
    clock.set(datetime(2030, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))))

    assert clock.now() == datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="timezone"):
        clock.set(datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_fakes_satisfy_the_ports() -> None:
    store = InMemoryStore()
    factory: UnitOfWorkFactory = store.unit_of_work
    uow: UnitOfWork = factory(make_principal())
    clock: Clock = FakeClock()

    assert uow.principal.org_id == DEFAULT_ORG_ID
    assert clock.now() == store.clock.now()


# -- transactions --------------------------------------------------------------


async def test_leaving_without_commit_rolls_back(store: InMemoryStore, alice: Principal) -> None:
    project = make_project()
    async with store.unit_of_work(alice) as uow:
        await uow.projects.add(project)
        await audited(uow)

    async with store.unit_of_work(alice) as uow:
        with pytest.raises(ProjectNotFound):
            await uow.projects.get(project.project_id)
    assert store.audit_events(ORG_A) == []


async def test_rollback_discards_writes_and_events_and_the_unit_of_work_goes_on(
    store: InMemoryStore, alice: Principal
) -> None:
    discarded, kept = make_project(), make_project()
    async with store.unit_of_work(alice) as uow:
        await uow.projects.add(discarded)
        await audited(uow)
        await uow.rollback()
        assert await uow.projects.count() == 0
        await uow.projects.add(kept)
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        assert [p.project_id for p in await uow.projects.list()] == [kept.project_id]
    assert [event.seq for event in store.audit_events(ORG_A)] == [1]


async def test_an_exception_inside_the_block_rolls_back(
    store: InMemoryStore, alice: Principal
) -> None:
    class Boom(Exception):
        pass

    async def add_then_fail() -> None:
        async with store.unit_of_work(alice) as uow:
            await uow.projects.add(make_project())
            await audited(uow)
            raise Boom

    with pytest.raises(Boom):
        await add_then_fail()

    async with store.unit_of_work(alice) as uow:
        assert await uow.projects.count() == 0


async def test_commit_of_an_unaudited_change_is_refused_and_rolled_back(
    store: InMemoryStore, alice: Principal
) -> None:
    async with store.unit_of_work(alice) as uow:
        await uow.projects.add(make_project())
        with pytest.raises(IntegrityViolation) as refused:
            await uow.commit()
        assert refused.value.code == "integrity_violation"
        assert await uow.projects.count() == 0

    async with store.unit_of_work(alice) as uow:
        assert await uow.projects.count() == 0


async def test_commit_without_changes_needs_no_audit_event(
    store: InMemoryStore, alice: Principal
) -> None:
    async with store.unit_of_work(alice) as uow:
        assert await uow.projects.list() == []
        await uow.commit()
    assert store.audit_events(ORG_A) == []


async def test_uncommitted_writes_are_invisible_to_other_units_of_work(
    store: InMemoryStore, alice: Principal
) -> None:
    project = make_project()
    async with store.unit_of_work(alice) as writer, store.unit_of_work(alice) as reader:
        await writer.projects.add(project)
        await audited(writer)
        assert (await writer.projects.get(project.project_id)).name == project.name
        with pytest.raises(ProjectNotFound):
            await reader.projects.get(project.project_id)
        await writer.commit()

    async with store.unit_of_work(alice) as uow:
        assert await uow.projects.get(project.project_id) == project


async def test_a_unit_of_work_is_only_usable_inside_async_with(
    store: InMemoryStore, alice: Principal
) -> None:
    uow = store.unit_of_work(alice)
    with pytest.raises(RuntimeError):
        await uow.projects.list()
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()
    with pytest.raises(RuntimeError):
        await uow.commit()


async def test_returned_models_are_copies_not_stored_state(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    async with store.unit_of_work(alice) as uow:
        finding = make_finding(project_id=project.project_id)
        await uow.findings.add(finding)
        await audited(uow)
        await uow.commit()

    finding.status = FindingStatus.FIXED_VERIFIED
    async with store.unit_of_work(alice) as uow:
        fetched = await uow.findings.get(finding.finding_id)
        fetched.status = FindingStatus.SUPPRESSED
        assert (await uow.findings.get(finding.finding_id)).status is FindingStatus.OPEN


async def test_concurrent_change_to_the_same_row_is_a_conflict_for_the_later_commit(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    packet = make_task_packet(project_id=project.project_id)
    async with store.unit_of_work(alice) as uow:
        await uow.task_packets.add(packet)
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(alice) as first, store.unit_of_work(alice) as second:
        claimed = packet.model_copy(update={"status": TaskPacketStatus.CLAIMED})
        cancelled = packet.model_copy(update={"status": TaskPacketStatus.CANCELLED})
        await first.task_packets.update(claimed)
        await second.task_packets.update(cancelled)
        await audited(first)
        await first.commit()
        await audited(second)
        with pytest.raises(Conflict) as lost:
            await second.commit()
        assert lost.value.code == "conflict"

    async with store.unit_of_work(alice) as uow:
        stored = await uow.task_packets.get(packet.task_packet_id)
        assert stored.status is TaskPacketStatus.CLAIMED
    assert [event.seq for event in store.audit_events(ORG_A)] == [1, 2, 3]


# -- every repository: isolation, duplicates, missing rows ----------------------

Make = Callable[[str, str], BaseModel]
"""``(org_id, project_id) -> entity``."""


@dataclass(frozen=True)
class Resource:
    repo: str
    make: Make
    id_field: str
    not_found: type[NotFound]
    updatable: bool = True
    listable: bool = True
    project_bound: bool = True
    list_kwargs: dict[str, Any] = field(default_factory=dict)

    def entity_id(self, entity: BaseModel) -> str:
        value = getattr(entity, self.id_field)
        assert isinstance(value, str)
        return value


RESOURCES = [
    Resource("teams", lambda o, p: make_team(org_id=o), "team_id", NotFound, updatable=False,
             project_bound=False),
    Resource("users", lambda o, p: make_user(org_id=o), "user_id", NotFound, project_bound=False),
    Resource("service_accounts", lambda o, p: make_service_account(org_id=o),
             "service_account_id", NotFound, project_bound=False),
    Resource("projects", lambda o, p: make_project(), "project_id", ProjectNotFound,
             project_bound=False),
    Resource("compiled_packages", lambda o, p: make_compiled_package(project_id=p), "package_id",
             NotFound, updatable=False, listable=False),
    Resource("findings", lambda o, p: make_finding(project_id=p), "finding_id", FindingNotFound),
    Resource("remediation_specs", lambda o, p: make_remediation_spec(project_id=p),
             "remediation_spec_id", NotFound, updatable=False),
    Resource("task_packets", lambda o, p: make_task_packet(project_id=p), "task_packet_id",
             TaskPacketNotFound),
    Resource("approvals", lambda o, p: make_approval_request(project_id=p),
             "approval_request_id", ApprovalNotFound),
    Resource("exceptions", lambda o, p: make_exception(project_id=p), "exception_id",
             ExceptionNotFound),
    Resource("promotions", lambda o, p: make_promotion(project_id=p), "promotion_id", NotFound),
    Resource("jobs", lambda o, p: make_job(project_id=p), "job_id", NotFound),
    Resource("reports", lambda o, p: make_report(project_id=p), "report_id", NotFound,
             updatable=False),
]  # fmt: skip
BY_NAME = pytest.mark.parametrize("resource", RESOURCES, ids=[r.repo for r in RESOURCES])


def repo(uow: UnitOfWork, resource: Resource) -> Any:
    return getattr(uow, resource.repo)


async def listed_ids(uow: UnitOfWork, resource: Resource) -> list[str]:
    return [resource.entity_id(e) for e in await repo(uow, resource).list(**resource.list_kwargs)]


@pytest.fixture
async def shared_project_id(store: InMemoryStore, alice: Principal, bob: Principal) -> str:
    """One project id that exists in both orgs (ids are per-org namespaces)."""
    project = make_project()
    await add_project(store, alice, project)
    await add_project(store, bob, project)
    return project.project_id


@BY_NAME
async def test_another_orgs_row_behaves_exactly_like_a_missing_one(
    resource: Resource,
    store: InMemoryStore,
    alice: Principal,
    bob: Principal,
    shared_project_id: str,
) -> None:
    entity = resource.make(ORG_A, shared_project_id)
    entity_id = resource.entity_id(entity)
    async with store.unit_of_work(alice) as uow:
        await repo(uow, resource).add(entity)
        await audited(uow, entity_id)
        await uow.commit()

    async with store.unit_of_work(bob) as uow:
        with pytest.raises(resource.not_found) as missing:
            await repo(uow, resource).get(entity_id)
        assert missing.value.code == "not_found"
        if resource.listable:
            assert entity_id not in await listed_ids(uow, resource)
        if resource.updatable:
            with pytest.raises(resource.not_found):
                await repo(uow, resource).update(entity)

        their_own = (
            entity.model_copy(update={"org_id": ORG_B}) if hasattr(entity, "org_id") else entity
        )
        await repo(uow, resource).add(their_own)
        await audited(uow, entity_id)
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        assert await repo(uow, resource).get(entity_id) == entity


@BY_NAME
async def test_adding_a_taken_id_is_already_exists(
    resource: Resource, store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    entity = resource.make(ORG_A, project.project_id)
    async with store.unit_of_work(alice) as uow:
        if resource.repo == "projects":
            entity = project
        else:
            await repo(uow, resource).add(entity)
        with pytest.raises(AlreadyExists) as taken:
            await repo(uow, resource).add(entity)
        assert taken.value.code == "already_exists"


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.updatable], ids=lambda r: r.repo)
async def test_updating_a_missing_row_is_the_resources_not_found(
    resource: Resource, store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(resource.not_found) as missing:
            await repo(uow, resource).update(resource.make(ORG_A, project.project_id))
        assert missing.value.code == "not_found"
        await uow.commit()  # nothing was written, so nothing needs auditing


@pytest.mark.parametrize(
    "resource", [r for r in RESOURCES if r.project_bound], ids=lambda r: r.repo
)
async def test_project_bound_rows_need_their_project(
    resource: Resource, store: InMemoryStore, alice: Principal, bob: Principal
) -> None:
    elsewhere = await add_project(store, bob, make_project())
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(ProjectNotFound):
            await repo(uow, resource).add(resource.make(ORG_A, elsewhere.project_id))


async def test_the_org_belongs_to_its_principal(
    store: InMemoryStore, alice: Principal, bob: Principal
) -> None:
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(OrgNotFound):
            await uow.orgs.get()
        with pytest.raises(Forbidden):
            await uow.orgs.add(make_org(org_id=ORG_B))
        await uow.orgs.add(make_org(org_id=ORG_A))
        with pytest.raises(AlreadyExists):
            await uow.orgs.add(make_org(org_id=ORG_A))
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(bob) as uow:
        with pytest.raises(OrgNotFound):
            await uow.orgs.get()
    async with store.unit_of_work(alice) as uow:
        assert (await uow.orgs.get()).org_id == ORG_A


async def test_identity_objects_of_another_org_are_refused(
    store: InMemoryStore, alice: Principal
) -> None:
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(Forbidden):
            await uow.teams.add(make_team(org_id=ORG_B))
        with pytest.raises(Forbidden):
            await uow.users.add(make_user(org_id=ORG_B))
        with pytest.raises(Forbidden):
            await uow.service_accounts.add(make_service_account(org_id=ORG_B))
        with pytest.raises(NotFound):
            await uow.users.update(make_user(org_id=ORG_B))


# -- unique columns and lookups ------------------------------------------------


async def test_a_fingerprint_is_unique_per_project_environment(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    first = make_finding(project_id=project.project_id, fingerprint="fp-1")
    async with store.unit_of_work(alice) as uow:
        await uow.findings.add(first)
        with pytest.raises(AlreadyExists):
            await uow.findings.add(make_finding(project_id=project.project_id, fingerprint="fp-1"))
        in_prod = make_finding(
            project_id=project.project_id, fingerprint="fp-1", environment=Environment.PROD
        )
        await uow.findings.add(in_prod)

        found = await uow.findings.by_fingerprint(project.project_id, Environment.DEV, "fp-1")
        assert found == first
        assert await uow.findings.by_fingerprint(project.project_id, Environment.DEV, "x") is None


async def test_findings_filter_by_project_environment_and_status_and_page_in_order(
    store: InMemoryStore, alice: Principal, clock: FakeClock
) -> None:
    project = await add_project(store, alice, make_project())
    findings = []
    async with store.unit_of_work(alice) as uow:
        for status in [FindingStatus.OPEN, FindingStatus.TRIAGED, FindingStatus.OPEN]:
            finding = make_finding(project_id=project.project_id, status=status)
            await uow.findings.add(finding)
            findings.append(finding)
            clock.advance(1)
        await uow.findings.add(
            make_finding(project_id=project.project_id, environment=Environment.PROD)
        )
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        dev = await uow.findings.list(project_id=project.project_id, environment=Environment.DEV)
        assert dev == findings
        open_dev = await uow.findings.list(
            environment=Environment.DEV, statuses=[FindingStatus.OPEN]
        )
        assert open_dev == [findings[0], findings[2]]
        assert await uow.findings.list(statuses=[]) == []
        assert await uow.findings.list(limit=1, offset=1) == [findings[1]]
        assert await uow.findings.count() == 4
        assert await uow.findings.count(statuses=[FindingStatus.TRIAGED]) == 1


async def test_user_emails_are_unique_and_looked_up_case_insensitively(
    store: InMemoryStore, alice: Principal
) -> None:
    ada = make_user(org_id=ORG_A, email="Ada@Example.com")
    grace = make_user(org_id=ORG_A, email="grace@example.com")
    async with store.unit_of_work(alice) as uow:
        await uow.users.add(ada)
        await uow.users.add(grace)
        with pytest.raises(AlreadyExists):
            await uow.users.add(make_user(org_id=ORG_A, email="ada@example.com"))
        assert await uow.users.by_email("ADA@example.COM") == ada
        with pytest.raises(Conflict) as collision:
            await uow.users.update(grace.model_copy(update={"email": "ada@EXAMPLE.com"}))
        assert collision.value.code == "conflict"


async def test_service_account_names_and_job_idempotency_keys_are_unique(
    store: InMemoryStore, alice: Principal
) -> None:
    account = make_service_account(org_id=ORG_A, name="claude-code")
    async with store.unit_of_work(alice) as uow:
        await uow.service_accounts.add(account)
        with pytest.raises(AlreadyExists):
            await uow.service_accounts.add(make_service_account(org_id=ORG_A, name="claude-code"))
        assert await uow.service_accounts.by_name("claude-code") == account

        await uow.jobs.add(make_job(idempotency_key="req-1"))
        await uow.jobs.add(make_job())
        await uow.jobs.add(make_job())  # no key: never collides
        with pytest.raises(AlreadyExists):
            await uow.jobs.add(make_job(idempotency_key="req-1"))
        assert len(await uow.jobs.list(statuses=[JobStatus.QUEUED])) == 3


async def test_an_approval_request_takes_exactly_one_decision(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    request = make_approval_request(project_id=project.project_id)
    decision = make_approval_decision(approval_request_id=request.approval_request_id)
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(ApprovalNotFound):
            await uow.approvals.record_decision(decision)
        await uow.approvals.add(request)
        assert await uow.approvals.decision_for(request.approval_request_id) is None
        await uow.approvals.record_decision(decision)
        with pytest.raises(Conflict) as second:
            await uow.approvals.record_decision(decision)
        assert second.value.code == "conflict"
        assert await uow.approvals.decision_for(request.approval_request_id) == decision


async def test_compiled_packages_latest_is_the_newest_revision(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    first = make_compiled_package(project_id=project.project_id)
    second = make_compiled_package(project_id=project.project_id)
    async with store.unit_of_work(alice) as uow:
        assert await uow.compiled_packages.latest(project.project_id, Environment.DEV) is None
        await uow.compiled_packages.add(first)
        await uow.compiled_packages.add(second)
        await uow.compiled_packages.add(
            make_compiled_package(project_id=project.project_id, environment=Environment.PROD)
        )
        assert await uow.compiled_packages.latest(project.project_id, Environment.DEV) == second


# -- versioned context documents -----------------------------------------------


async def test_putting_identical_content_returns_the_current_version_and_writes_nothing(
    store: InMemoryStore, alice: Principal
) -> None:
    baseline = make_org_baseline()
    async with store.unit_of_work(alice) as uow:
        first = await uow.org_baselines.put(baseline, reason="initial")
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        again = await uow.org_baselines.put(baseline.model_copy(deep=True), reason="again")
        await uow.commit()  # no new version, so no state change to audit

        assert again == first
        assert again.version == 1
        assert await uow.org_baselines.history(baseline.baseline_id) == [first]


async def test_changed_content_stores_a_new_version_and_keeps_the_old_one(
    store: InMemoryStore, alice: Principal, clock: FakeClock
) -> None:
    v1 = make_org_baseline(org_name="Before")
    v2 = v1.model_copy(update={"org_name": "After"})
    async with store.unit_of_work(alice) as uow:
        first = await uow.org_baselines.put(v1, reason="initial")
        clock.advance(60)
        second = await uow.org_baselines.put(v2, reason="renamed")
        await audited(uow)
        await uow.commit()

    assert (first.version, second.version) == (1, 2)
    assert first.content_hash != second.content_hash
    assert second.created_at == DEFAULT_START + timedelta(seconds=60)
    assert second.created_by == alice.subject_id
    async with store.unit_of_work(alice) as uow:
        assert await uow.org_baselines.get(v1.baseline_id) == v2
        assert await uow.org_baselines.get(v1.baseline_id, version=1) == v1
        with pytest.raises(NotFound):
            await uow.org_baselines.get(v1.baseline_id, version=3)
        assert [v.reason for v in await uow.org_baselines.history(v1.baseline_id)] == [
            "initial",
            "renamed",
        ]


async def test_effective_documents_prefer_the_project_and_fall_back_to_the_org(
    store: InMemoryStore, alice: Principal
) -> None:
    bound = await add_project(store, alice, make_project())
    unbound = await add_project(store, alice, make_project())
    org_wide, own = make_org_baseline(), make_org_baseline()
    org_dev = make_environment_profile(environment=Environment.DEV)
    own_dev = make_environment_profile(environment=Environment.DEV)
    org_prod = make_environment_profile(environment=Environment.PROD)
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(NotFound):
            await uow.org_baselines.effective()
        await uow.org_baselines.put(org_wide, reason="org")
        await uow.org_baselines.put(own, reason="project", project_id=bound.project_id)
        await uow.environment_profiles.put(org_dev, reason="org")
        await uow.environment_profiles.put(org_prod, reason="org")
        await uow.environment_profiles.put(own_dev, reason="own", project_id=bound.project_id)
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        assert await uow.org_baselines.effective() == org_wide
        assert await uow.org_baselines.effective(bound.project_id) == own
        assert await uow.org_baselines.effective(unbound.project_id) == org_wide
        profiles = uow.environment_profiles
        assert await profiles.effective(Environment.DEV, bound.project_id) == own_dev
        assert await profiles.effective(Environment.DEV, unbound.project_id) == org_dev
        assert await profiles.effective(Environment.PROD, bound.project_id) == org_prod
        with pytest.raises(NotFound):
            await profiles.effective(Environment.PILOT)
        assert {p.profile_id for p in await profiles.list()} == {
            org_dev.profile_id,
            own_dev.profile_id,
            org_prod.profile_id,
        }


async def test_documents_bound_to_a_project_need_the_project(
    store: InMemoryStore, alice: Principal
) -> None:
    project = await add_project(store, alice, make_project())
    spec = make_app_spec()
    async with store.unit_of_work(alice) as uow:
        with pytest.raises(ProjectNotFound):
            await uow.app_specs.put("proj_missing", spec, reason="spec")
        with pytest.raises(ProjectNotFound):
            await uow.org_baselines.put(make_org_baseline(), reason="x", project_id="proj_missing")
        version = await uow.app_specs.put(project.project_id, spec, reason="spec")
        assert (version.kind, version.doc_id, version.project_id) == (
            "app_spec",
            project.project_id,
            project.project_id,
        )
        assert await uow.app_specs.get(project.project_id) == spec
        assert await uow.app_specs.history("proj_missing") == []


async def test_documents_of_another_org_are_invisible(
    store: InMemoryStore, alice: Principal, bob: Principal
) -> None:
    baseline = make_org_baseline()
    async with store.unit_of_work(alice) as uow:
        await uow.org_baselines.put(baseline, reason="initial")
        await audited(uow)
        await uow.commit()

    async with store.unit_of_work(bob) as uow:
        with pytest.raises(NotFound):
            await uow.org_baselines.get(baseline.baseline_id)
        with pytest.raises(NotFound):
            await uow.org_baselines.effective()
        assert await uow.org_baselines.history(baseline.baseline_id) == []
        version = await uow.org_baselines.put(baseline, reason="their own")
        assert version.version == 1


# -- the audit log -------------------------------------------------------------


async def test_the_audit_chain_is_sealed_linked_and_matches_its_head(
    store: InMemoryStore, alice: Principal, clock: FakeClock
) -> None:
    with trace_scope("trc_test_chain_0001"):
        async with store.unit_of_work(alice) as uow:
            await uow.audit.record("project.created", resource_type="project", resource_id="p1")
            await uow.audit.record(
                "project.updated",
                resource_type="project",
                resource_id="p1",
                details={"at": clock.now(), "fields": ("name",)},
            )
            await uow.commit()
        clock.advance(5)
        async with store.unit_of_work(alice) as uow:
            denied = await uow.audit.record(
                "guardrail.checked",
                resource_type="task_packet",
                resource_id="tp1",
                outcome=AuditOutcome.DENIED,
            )
            assert await uow.audit.head() == (3, denied.hash)
            await uow.commit()

    events = store.audit_events(ORG_A)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    assert all(event.expected_hash() == event.hash for event in events)
    assert events[2] == denied
    assert store.audit_head(ORG_A) == (3, denied.hash)
    assert verify_chain(events, store.audit_head(ORG_A)).ok
    assert {e.trace_id for e in events} == {"trc_test_chain_0001"}
    assert {(e.actor_id, e.actor_kind) for e in events} == {(alice.subject_id, alice.kind)}
    assert [e.occurred_at for e in events] == [DEFAULT_START] * 2 + [clock.now()]
    assert events[1].details == {"at": DEFAULT_START.isoformat().replace("+00:00", "Z"),
                                 "fields": ["name"]}  # fmt: skip


async def test_each_org_has_its_own_chain(
    store: InMemoryStore, alice: Principal, bob: Principal
) -> None:
    for principal in (alice, bob, alice):
        async with store.unit_of_work(principal) as uow:
            await audited(uow)
            await uow.commit()

    assert [e.seq for e in store.audit_events(ORG_A)] == [1, 2]
    assert [e.seq for e in store.audit_events(ORG_B)] == [1]
    assert store.audit_events(ORG_B)[0].prev_hash == GENESIS_HASH
    async with store.unit_of_work(bob) as uow:
        assert [e.org_id for e in [event async for event in uow.audit.events()]] == [ORG_B]
        assert await uow.audit.head() == store.audit_head(ORG_B)
    assert store.audit_head("org_nobody") == (0, GENESIS_HASH)


async def test_audit_events_stream_in_order_after_a_sequence_number(
    store: InMemoryStore, alice: Principal
) -> None:
    async with store.unit_of_work(alice) as uow:
        for n in range(5):
            await audited(uow, f"r{n}")
        pending = [event.seq async for event in uow.audit.events(after_seq=3)]
        assert pending == [4, 5]  # a unit of work sees its own pending events
        await uow.commit()

    async with store.unit_of_work(alice) as uow:
        streamed = [event async for event in uow.audit.events(batch_size=2)]
    assert streamed == store.audit_events(ORG_A)


async def test_concurrent_appends_to_one_chain_conflict_instead_of_forking(
    store: InMemoryStore, alice: Principal
) -> None:
    async with store.unit_of_work(alice) as first, store.unit_of_work(alice) as second:
        await audited(first)
        await audited(second)
        await first.commit()
        with pytest.raises(Conflict):
            await second.commit()

    assert verify_chain(store.audit_events(ORG_A), store.audit_head(ORG_A)).ok
    assert store.audit_head(ORG_A)[0] == 1


# -- factories -----------------------------------------------------------------

FACTORIES: list[Callable[[], BaseModel]] = [
    make_org,
    make_team,
    make_user,
    make_service_account,
    make_principal,
    make_human_reviewer,
    make_agent,
    lambda: make_principal(kind=PrincipalKind.SYSTEM),
    make_project,
    make_org_baseline,
    make_environment_profile,
    lambda: make_environment_profile(environment=Environment.PROD),
    make_app_spec,
    make_compiled_package,
    make_finding,
    make_remediation_spec,
    make_task_packet,
    make_approval_request,
    make_approval_decision,
    make_exception,
    make_promotion,
    make_job,
    make_report,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: getattr(f, "__name__", "lambda"))
def test_factories_build_models_that_survive_a_json_round_trip(
    factory: Callable[[], BaseModel],
) -> None:
    model = factory()

    assert type(model).model_validate_json(model.model_dump_json()) == model


def test_factories_make_fresh_ids_and_unique_names() -> None:
    assert make_project().project_id != make_project().project_id
    first, second = make_finding(), make_finding()
    assert first.fingerprint != second.fingerprint
    assert make_user().email != make_user().email
    assert make_service_account().name != make_service_account().name


def test_factory_overrides_replace_fields_and_are_validated() -> None:
    finding = make_finding(project_id="proj_abc", severity=RiskLevel.CRITICAL)

    assert (finding.project_id, finding.severity) == ("proj_abc", RiskLevel.CRITICAL)
    with pytest.raises(ValidationError):
        make_finding(severity="critical")  # strict: the enum member, not its value
    with pytest.raises(ValidationError):
        make_project(colour="blue")


def test_principal_factories_draw_the_human_and_agent_line() -> None:
    reviewer, agent = make_human_reviewer(), make_agent()

    assert reviewer.is_human
    assert reviewer.has_role(Role.REVIEWER)
    assert agent.kind is PrincipalKind.SERVICE_ACCOUNT
    assert agent.roles == frozenset({Role.SERVICE_ACCOUNT})
    assert agent.owner_user_id is not None
    assert make_org().org_id == reviewer.org_id == agent.org_id == DEFAULT_ORG_ID
    with pytest.raises(ValidationError):
        make_agent(roles=frozenset({Role.REVIEWER}))
