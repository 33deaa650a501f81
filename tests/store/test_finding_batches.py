"""What ingest asks of the store, kept alike by the SQL store and the in-memory fake.

Batches of findings are added and updated all or none; the scope index is a
lean view of one project environment; ingest runs are written once and found
by their idempotency key. Every test runs on ``memory``, ``sqlite`` and
``postgres`` (the ``any_store`` fixture).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import store_builders as b

from pearl_core.domain import FindingSource
from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel, ToolType, TrustLabel
from pearl_core.domain.findings import Finding
from pearl_core.domain.ingest import FindingChanges, IngestRun, IngestSummary
from pearl_core.errors import AlreadyExists, Conflict, FindingNotFound, NotFound, ProjectNotFound
from pearl_core.ports import FindingIndexEntry, UnitOfWork, UnitOfWorkFactory

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")
OTHER = b.principal("org_b")
P, Q = "proj_1", "proj_2"
DEV, PROD = Environment.DEV, Environment.PROD
OPEN, FIXED = FindingStatus.OPEN, FindingStatus.FIXED_VERIFIED
LOW = RiskLevel.LOW
TRIVY = FindingSource(
    tool_name="trivy", tool_type=ToolType.SCA, trust_label=TrustLabel.TRUSTED_INTERNAL
)


def finding(project_id: str, n: int, **overrides: object) -> Finding:
    return b.finding(project_id, n, **overrides)


@pytest.fixture
async def seeded(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Projects 1 and 2 in org_a, project 1 in org_b; four findings in org_a."""

    async def seed(uow: UnitOfWork) -> None:
        await uow.projects.add(b.project(1))
        await uow.projects.add(b.project(2))
        await uow.findings.add_many(
            [
                finding(P, 1),
                finding(P, 2, source=TRIVY, cross_tool_key="CVE-2024-1|pypi|jinja2|req.txt"),
                finding(P, 3, status=FIXED, severity=RiskLevel.LOW),
                finding(P, 4, environment=PROD),
            ]
        )

    await b.committed(any_store, ME, seed)  # type: ignore[arg-type]
    await b.committed(any_store, OTHER, lambda u: u.projects.add(b.project(1)))  # type: ignore[arg-type]
    return any_store


async def _read(store: UnitOfWorkFactory, work, who=ME):  # type: ignore[no-untyped-def]
    return await b.read(store, who, work)  # type: ignore[arg-type]


async def _commit(store: UnitOfWorkFactory, work, who=ME):  # type: ignore[no-untyped-def]
    return await b.committed(store, who, work)  # type: ignore[arg-type]


async def test_the_scope_index_lists_one_project_environment_without_documents(
    seeded: UnitOfWorkFactory,
) -> None:
    index = await _read(seeded, lambda u: u.findings.scope_index(P, DEV))

    assert index == [
        FindingIndexEntry("find_1", "fp_1", None, "semgrep", OPEN, finding(P, 1).content_digest()),
        FindingIndexEntry(
            "find_2",
            "fp_2",
            "CVE-2024-1|pypi|jinja2|req.txt",
            "trivy",
            OPEN,
            finding(P, 2, source=TRIVY).content_digest(),
        ),
        FindingIndexEntry(
            "find_3",
            "fp_3",
            None,
            "semgrep",
            FIXED,
            finding(P, 3, severity=RiskLevel.LOW).content_digest(),
        ),
    ]
    assert await _read(seeded, lambda u: u.findings.scope_index(Q, DEV)) == []
    assert await _read(seeded, lambda u: u.findings.scope_index(P, DEV), who=OTHER) == []


async def test_the_content_hash_ignores_status_and_timestamps_but_not_reported_content() -> None:
    base = finding(P, 1)
    later = base.model_copy(
        update={
            "status": FIXED,
            "status_reason": "absent_from_rescan",
            "updated_at": b.NOW + timedelta(days=1),
        }
    )
    retitled = base.model_copy(update={"title": "Another title"})

    assert later.content_digest() == base.content_digest()
    assert retitled.content_digest() != base.content_digest()


async def test_a_bulk_add_with_a_taken_fingerprint_keeps_nothing_of_the_batch(
    seeded: UnitOfWorkFactory,
) -> None:
    batch = [finding(P, 10), finding(P, 11, fingerprint="fp_1"), finding(P, 12)]

    async def add_then_another(uow: UnitOfWork) -> None:
        with pytest.raises(AlreadyExists) as caught:
            await uow.findings.add_many(batch)
        assert caught.value.code == "already_exists"
        assert caught.value.details["ids"] == ["find_11"]
        await uow.findings.add(finding(P, 13))

    await _commit(seeded, add_then_another)

    ids = [e.finding_id for e in await _read(seeded, lambda u: u.findings.scope_index(P, DEV))]
    assert ids == ["find_1", "find_13", "find_2", "find_3"]  # same stored_at: by id


async def test_a_bulk_add_for_a_missing_project_is_project_not_found(
    seeded: UnitOfWorkFactory,
) -> None:
    with pytest.raises(ProjectNotFound) as caught:
        await _commit(
            seeded, lambda u: u.findings.add_many([finding(P, 10), finding("proj_x", 11)])
        )

    assert caught.value.code == "not_found"
    assert await _read(seeded, lambda u: u.findings.count(project_id=P)) == 4


async def test_a_bulk_update_replaces_documents_and_filter_columns(
    seeded: UnitOfWorkFactory,
) -> None:
    fixed = finding(P, 1, status=FIXED, status_reason="absent_from_rescan")
    retitled = finding(P, 2, source=TRIVY, title="Jinja2 sandbox escape")

    await _commit(seeded, lambda u: u.findings.update_many([fixed, retitled]))

    assert await _read(seeded, lambda u: u.findings.by_ids(["find_2", "find_1"])) == [
        retitled,
        fixed,
    ]
    index = {e.finding_id: e for e in await _read(seeded, lambda u: u.findings.scope_index(P, DEV))}
    assert index["find_1"].status is FIXED
    assert index["find_2"].content_hash == retitled.content_digest()
    assert index["find_2"].cross_tool_key is None
    assert await _read(seeded, lambda u: u.findings.count(statuses=[FIXED])) == 2


async def test_a_bulk_update_with_a_missing_finding_changes_nothing(
    seeded: UnitOfWorkFactory,
) -> None:
    batch = [finding(P, 1, status=FIXED, status_reason="x"), finding(P, 9), finding(P, 8)]

    with pytest.raises(FindingNotFound) as caught:
        await _commit(seeded, lambda u: u.findings.update_many(batch))

    assert caught.value.code == "not_found"
    assert caught.value.details["id"] == "find_9"
    assert (await _read(seeded, lambda u: u.findings.get("find_1"))).status is OPEN


async def test_a_bulk_update_colliding_on_a_fingerprint_is_a_conflict_and_changes_nothing(
    seeded: UnitOfWorkFactory,
) -> None:
    batch = [finding(P, 1, title="changed"), finding(P, 3, fingerprint="fp_2")]

    async def update_then_go_on(uow: UnitOfWork) -> None:
        with pytest.raises(Conflict) as caught:
            await uow.findings.update_many(batch)
        assert caught.value.code == "conflict"
        await uow.findings.add(finding(P, 20))

    await _commit(seeded, update_then_go_on)

    assert (await _read(seeded, lambda u: u.findings.get("find_1"))).title == "Finding 1"
    assert await _read(seeded, lambda u: u.findings.count(project_id=P)) == 5


async def test_findings_are_read_by_ids_in_the_order_asked_skipping_unknown_ones(
    seeded: UnitOfWorkFactory,
) -> None:
    found = await _read(seeded, lambda u: u.findings.by_ids(["find_3", "find_x", "find_1"]))

    assert [f.finding_id for f in found] == ["find_3", "find_1"]
    assert await _read(seeded, lambda u: u.findings.by_ids(["find_1"]), who=OTHER) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tool_name": "trivy"}, ["find_2"]),
        ({"severities": [RiskLevel.LOW]}, ["find_3"]),
        ({"severities": [RiskLevel.HIGH], "environment": DEV}, ["find_1", "find_2"]),
        ({"severities": [RiskLevel.HIGH], "tool_name": "semgrep"}, ["find_1", "find_4"]),
        ({"severities": []}, []),
    ],
)
async def test_findings_filter_by_severity_and_tool(
    seeded: UnitOfWorkFactory, filters: dict[str, object], expected: list[str]
) -> None:
    listed = await _read(seeded, lambda u: u.findings.list(**filters))
    counted = await _read(seeded, lambda u: u.findings.count(**filters))

    assert [f.finding_id for f in listed] == expected
    assert counted == len(expected)


def ingest_run(n: int, *, key: str | None = None, project_id: str = P) -> IngestRun:
    summary = IngestSummary(
        ingest_id=f"ing_{n}",
        project_id=project_id,
        environment=DEV,
        format="sarif",
        scope="full",
        tool_names=("semgrep",),
        created=2,
    )
    return IngestRun(
        ingest_id=f"ing_{n}",
        project_id=project_id,
        environment=DEV,
        idempotency_key=key,
        content_hash="a" * 64,
        format="sarif",
        scope="full",
        summary=summary,
        changes=FindingChanges(created=("find_1", "find_2")),
        created_by="usr_operator",
        created_at=b.NOW,
    )


async def test_an_ingest_run_reads_back_by_id_and_idempotency_key(
    seeded: UnitOfWorkFactory,
) -> None:
    await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(1, key="ci-42")))
    await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(2)))

    assert await _read(seeded, lambda u: u.ingest_runs.get("ing_1")) == ingest_run(1, key="ci-42")
    assert await _read(seeded, lambda u: u.ingest_runs.by_idempotency_key("ci-42")) == ingest_run(
        1, key="ci-42"
    )
    assert await _read(seeded, lambda u: u.ingest_runs.by_idempotency_key("ci-43")) is None
    assert (
        await _read(seeded, lambda u: u.ingest_runs.by_idempotency_key("ci-42"), who=OTHER) is None
    )
    with pytest.raises(NotFound) as caught:
        await _read(seeded, lambda u: u.ingest_runs.get("ing_1"), who=OTHER)
    assert caught.value.code == "not_found"


async def test_an_ingest_run_needs_a_free_idempotency_key_and_its_project(
    seeded: UnitOfWorkFactory,
) -> None:
    await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(1, key="ci-42")))

    with pytest.raises(AlreadyExists) as taken:
        await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(2, key="ci-42")))
    with pytest.raises(ProjectNotFound):
        await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(3, project_id="proj_x")))

    assert taken.value.code == "already_exists"
    await _commit(seeded, lambda u: u.ingest_runs.add(ingest_run(2, key="ci-42")), who=OTHER)
