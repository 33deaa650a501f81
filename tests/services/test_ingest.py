"""Ingesting scanner reports: one finding per real problem, across rescans and tools.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

import json

import pytest
from ingest_helpers import DEV, PROJECT, audit_events, by_status, findings, ingest, seed
from reports import HITS, JINJA, OPERATOR, ORG, SCAN_ERROR, URLLIB, Hit, grype, semgrep, trivy

from pearl_core import FindingStatus, change_finding_status, verify_audit_chain
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import FakeClock, make_human_reviewer

pytestmark = pytest.mark.anyio

SHELL, PICKLE, MD5 = HITS
OPEN, FIXED = FindingStatus.OPEN, FindingStatus.FIXED_VERIFIED


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await seed(any_store)
    return any_store


async def test_a_first_report_creates_one_open_finding_per_result(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    summary = await ingest(store, semgrep(*HITS), clock=clock, source_name="semgrep.json")

    assert (summary.format, summary.scope, summary.tool_names) == ("semgrep", "full", ("semgrep",))
    assert (summary.created, summary.updated, summary.unchanged, summary.quarantined) == (
        3,
        0,
        0,
        0,
    )
    stored = await findings(store, project_id=PROJECT)
    assert {f.rule_id for f in stored} == {h.rule for h in HITS}
    shell = next(f for f in stored if f.rule_id == SHELL.rule)
    assert shell.status is OPEN
    assert shell.environment is DEV
    assert (shell.source.tool_name, shell.source.raw_record_ref) == ("semgrep", "results[0]")
    assert shell.locations[0].start_line == 6
    assert shell.locations[0].snippet_hash is not None
    assert shell.cwe_ids == ["CWE-78"]
    assert shell.first_seen_at == shell.last_seen_at == shell.detected_at == clock.now()


async def test_the_same_report_twice_changes_no_finding(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)
    before = await findings(store)

    again = await ingest(store, semgrep(*HITS), clock=clock)

    assert (again.created, again.updated, again.reopened, again.resolved_by_rescan) == (0, 0, 0, 0)
    assert again.unchanged == 3
    assert await findings(store) == before
    ingested = [e for e in await audit_events(store) if e.action == "findings.ingested"]
    assert [e.resource_id for e in ingested][-1] == again.ingest_id  # a rescan is still an event


async def test_a_report_with_lines_shifted_keeps_the_same_findings(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)
    before = {f.rule_id: f for f in await findings(store)}

    moved = await ingest(store, semgrep(*(hit.moved(10) for hit in HITS)), clock=clock)

    assert (moved.created, moved.updated, moved.resolved_by_rescan) == (0, 3, 0)
    after = {f.rule_id: f for f in await findings(store)}
    assert {r: f.finding_id for r, f in after.items()} == {
        r: f.finding_id for r, f in before.items()
    }
    assert after[SHELL.rule].locations[0].start_line == 16
    assert after[SHELL.rule].first_seen_at == before[SHELL.rule].first_seen_at


async def test_a_finding_absent_from_a_full_rescan_is_resolved_and_reopened_when_it_returns(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)

    fixed = await ingest(store, semgrep(SHELL, MD5), clock=clock)

    assert (fixed.resolved_by_rescan, fixed.unchanged, fixed.resolution) == (1, 2, "applied")
    pickle = next(f for f in await findings(store) if f.rule_id == PICKLE.rule)
    assert (pickle.status, pickle.status_reason) == (FIXED, "absent_from_rescan")

    back = await ingest(store, semgrep(*HITS), clock=clock)

    assert (back.reopened, back.created, back.unchanged) == (1, 0, 2)
    pickle = next(f for f in await findings(store) if f.rule_id == PICKLE.rule)
    assert (pickle.status, pickle.status_reason) == (FindingStatus.REOPENED, "reappeared_in_scan")
    assert len(await findings(store)) == 3


async def test_a_partial_scan_resolves_nothing(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)

    partial = await ingest(store, semgrep(SHELL), clock=clock, scope="partial")

    assert (partial.resolved_by_rescan, partial.resolution) == (0, "partial_scan")
    assert set((await by_status(store)).values()) == {"open"}


async def test_another_tools_full_scan_resolves_nothing_of_this_tool(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)

    other = await ingest(store, trivy(JINJA), clock=clock)

    assert (other.created, other.resolved_by_rescan) == (1, 0)
    assert set((await by_status(store)).values()) == {"open"}


async def test_a_scan_that_reported_errors_resolves_nothing(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)

    broken = await ingest(store, semgrep(SHELL, errors=[SCAN_ERROR]), clock=clock)

    assert (broken.resolved_by_rescan, broken.resolution) == (0, "scan_errors")
    assert broken.scan_errors == ("errors[0]: Syntax error (warn)",)
    assert set((await by_status(store)).values()) == {"open"}


async def test_the_same_cve_package_and_manifest_from_two_tools_is_one_finding(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await ingest(store, trivy(JINJA, URLLIB), clock=clock)
    second = await ingest(store, grype(JINJA), clock=clock)

    assert (first.created, second.created, second.unchanged) == (2, 0, 1)
    stored = await findings(store)
    assert len(stored) == 2
    jinja = next(f for f in stored if f.cve_ids == [JINJA[0]])
    assert jinja.source.tool_name == "trivy"  # the first reporter's content stands
    assert jinja.cross_tool_key == f"{JINJA[0]}|pypi|jinja2|requirements.txt"

    again = await ingest(store, grype(JINJA), clock=clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


async def test_two_records_of_one_report_sharing_a_cross_tool_key_are_one_finding(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    report = json.loads(grype(JINJA, ("CVE-2024-99999", "jinja2", "3.1.2")))
    report["matches"][1]["relatedVulnerabilities"] = [{"id": JINJA[0]}]  # also CVE-2024-22195

    summary = await ingest(store, json.dumps(report).encode(), clock=clock)

    assert (summary.created, summary.duplicates) == (1, 1)


async def test_dispositioned_findings_keep_their_status_when_reported_again_or_absent(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, semgrep(*HITS), clock=clock)
    pickle = next(f for f in await findings(store) if f.rule_id == PICKLE.rule)
    reviewer = make_human_reviewer(org_id=ORG)
    await change_finding_status(
        store.unit_of_work(reviewer),
        pickle.finding_id,
        FindingStatus.FALSE_POSITIVE,
        reason="data is signed upstream",
        clock=clock,
    )

    seen = await ingest(store, semgrep(*HITS), clock=clock)
    absent = await ingest(store, semgrep(SHELL, MD5), clock=clock)

    assert (seen.unchanged, seen.reopened, absent.resolved_by_rescan) == (3, 0, 0)
    assert (await by_status(store))[PICKLE.rule] == "false_positive"


async def test_a_finding_the_tool_itself_suppressed_is_created_suppressed(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await ingest(store, trivy(JINJA), clock=clock)  # reference: an ordinary finding
    report = semgrep(Hit("python.eval", "app/x.py", 3, "eval(x)"))
    report = report.replace(b'"fingerprint"', b'"is_ignored": true, "fingerprint"')

    await ingest(store, report, clock=clock, scope="partial")

    evaluated = next(f for f in await findings(store) if f.rule_id == "python.eval")
    assert (evaluated.status, evaluated.status_reason) == (
        FindingStatus.SUPPRESSED,
        "suppressed_by_tool",
    )


async def test_every_change_is_audited_and_the_chain_verifies(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await ingest(store, semgrep(*HITS), clock=clock)
    resolved = await ingest(store, semgrep(SHELL, MD5), clock=clock)
    reopened = await ingest(store, semgrep(*HITS), clock=clock)

    events = await audit_events(store)
    ingested = {e.resource_id: e for e in events if e.action == "findings.ingested"}
    assert set(ingested) == {created.ingest_id, resolved.ingest_id, reopened.ingest_id}
    first = ingested[created.ingest_id].details
    assert first["counts"]["created"] == 3
    assert first["finding_ids"]["created"] == sorted(f.finding_id for f in await findings(store))
    assert first["format"] == "semgrep"
    changes = [e.details for e in events if e.action == "finding.status_changed"]
    assert [(c["from"], c["to"], c["reason"], c["ingest_id"]) for c in changes] == [
        ("open", "fixed_verified", "absent_from_rescan", resolved.ingest_id),
        ("fixed_verified", "reopened", "reappeared_in_scan", reopened.ingest_id),
    ]
    assert all(e.actor_id == OPERATOR.subject_id for e in events if e.seq > 1)
    assert changes[0]["checked_as"] == "system:pearl-system"
    report = await verify_audit_chain(store.unit_of_work(OPERATOR))
    assert (report.ok, report.checked) == (True, len(events))
