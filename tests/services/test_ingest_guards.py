"""What an ingest refuses, and how: typed errors, and nothing stored or half-written.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

import io

import anyio
import pytest
from ingest_helpers import DEV, PROJECT, audit_head, findings, ingest, seed
from reports import HITS, JINJA, OPERATOR, ORG, semgrep, semgrep_with_a_bad_record, trivy
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core import (
    Environment,
    Forbidden,
    IdempotencyConflict,
    IngestLimits,
    IngestRequest,
    IngestSummary,
    LimitExceeded,
    MalformedReport,
    NotFound,
    UnrecognizedFormat,
    ingest_report,
)
from pearl_core.domain.enums import Role
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.store import SqlStore
from pearl_core.testing import FakeClock, make_agent, make_principal

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await seed(any_store)
    return any_store


@pytest.fixture
def sql_store(engine: AsyncEngine, clock: FakeClock) -> SqlStore:
    """A SQL store on SQLite and PostgreSQL (the in-memory fake refuses, rather
    than serialises, concurrent commits)."""
    return SqlStore(engine, clock=clock)


async def test_one_bad_record_is_quarantined_and_the_rest_is_ingested(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)

    summary = await ingest(store, semgrep_with_a_bad_record(*HITS[:2]), clock=clock)

    assert (summary.unchanged, summary.quarantined) == (2, 1)
    assert summary.quarantine[0].record == "results[1]"
    assert "path" in summary.quarantine[0].reason
    # An unreadable record may be a finding that is still there: nothing is resolved.
    assert (summary.resolved_by_rescan, summary.resolution) == (0, "quarantined_records")
    assert len(await findings(store, project_id=PROJECT)) == 3


@pytest.mark.parametrize(
    ("limits", "limit"),
    [(IngestLimits(max_results=2), "max_results"), (IngestLimits(max_bytes=100), "max_bytes")],
)
async def test_a_report_over_a_limit_is_refused_and_nothing_is_stored(
    store: UnitOfWorkFactory, clock: FakeClock, limits: IngestLimits, limit: str
) -> None:
    head = await audit_head(store)

    with pytest.raises(LimitExceeded) as caught:
        await ingest(store, semgrep(*HITS), clock=clock, limits=limits)

    assert caught.value.code == "limit_exceeded"
    assert caught.value.details["limit"] == limit
    assert await findings(store) == []
    assert await audit_head(store) == head


async def test_a_stream_that_cannot_seek_is_spooled_and_held_to_the_size_limit(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    request = IngestRequest(project_id=PROJECT, environment=DEV, source_name="stdin")
    uow = store.unit_of_work(OPERATOR)
    report = semgrep(*HITS)

    summary = await ingest_report(
        uow, request, io.BufferedReader(Pipe(report)), clock=clock, limits=IngestLimits()
    )
    small = IngestLimits(max_bytes=len(report) - 1)
    pipe = io.BufferedReader(Pipe(report))
    with pytest.raises(LimitExceeded):
        await ingest_report(uow, request, pipe, clock=clock, limits=small)

    assert summary.created == 3


@pytest.mark.parametrize(
    ("report", "error", "code"),
    [
        (b'{"results": [{"check_id": "x", "extra": {}', MalformedReport, "malformed_report"),
        (b'{"hello": "world"}', UnrecognizedFormat, "unrecognized_format"),
    ],
    ids=["truncated", "unknown-format"],
)
async def test_a_document_that_is_not_a_readable_report_is_refused_and_nothing_is_stored(
    store: UnitOfWorkFactory, clock: FakeClock, report: bytes, error: type[Exception], code: str
) -> None:
    head = await audit_head(store)

    with pytest.raises(error) as caught:
        await ingest(store, report, clock=clock, source_name="upload.json")

    assert caught.value.code == code  # type: ignore[attr-defined]
    assert caught.value.details["source"] == "upload.json"  # type: ignore[attr-defined]
    assert await audit_head(store) == head


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_summary(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await ingest(store, semgrep(*HITS), clock=clock, idempotency_key="ci-run-42")
    head = await audit_head(store)

    retry = await ingest(store, semgrep(*HITS), clock=clock, idempotency_key="ci-run-42")

    assert retry.idempotent_replay is True
    assert retry.model_copy(update={"idempotent_replay": False}) == first
    assert await audit_head(store) == head


@pytest.mark.parametrize(
    "change",
    [
        {"report": semgrep(*HITS[:2])},
        {"scope": "partial"},
        {"environment": Environment.PROD},
    ],
)
async def test_the_same_idempotency_key_for_another_report_or_target_is_a_conflict(
    store: UnitOfWorkFactory, clock: FakeClock, change: dict[str, object]
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock, idempotency_key="ci-run-42")
    change = dict(change)
    report = change.pop("report", semgrep(*HITS))
    head = await audit_head(store)

    with pytest.raises(IdempotencyConflict) as caught:
        await ingest(store, report, clock=clock, idempotency_key="ci-run-42", **change)  # type: ignore[arg-type]

    assert caught.value.code == "conflict"
    assert await audit_head(store) == head


async def test_ingesting_into_an_unknown_project_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(NotFound) as caught:
        await ingest(store, trivy(JINJA), clock=clock, project_id="proj_nope")

    assert caught.value.code == "not_found"


@pytest.mark.parametrize(
    "principal",
    [make_principal(org_id=ORG, roles={Role.VIEWER}), make_agent(org_id=ORG)],
    ids=["viewer", "agent"],
)
async def test_only_operators_and_admins_ingest(
    store: UnitOfWorkFactory, clock: FakeClock, principal: object
) -> None:
    with pytest.raises(Forbidden) as caught:
        await ingest(store, trivy(JINJA), clock=clock, principal=principal)

    assert caught.value.code == "forbidden"
    assert await findings(store) == []


async def test_findings_of_another_org_are_invisible_to_its_ingests(
    any_store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await seed(any_store)
    await ingest(any_store, semgrep(*HITS), clock=clock)
    stranger = make_principal(org_id="org_stranger")

    with pytest.raises(NotFound):
        await ingest(any_store, semgrep(*HITS), clock=clock, principal=stranger)


async def test_concurrent_ingests_into_one_project_run_one_after_the_other(
    sql_store: SqlStore, clock: FakeClock
) -> None:
    await seed(sql_store)
    summaries: list[IngestSummary] = []

    async def one() -> None:
        summaries.append(await ingest(sql_store, semgrep(*HITS), clock=clock))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)

    assert sorted((s.created, s.unchanged) for s in summaries) == [(0, 3), (3, 0)]
    assert len(await findings(sql_store)) == 3
