"""Outcome reports and verification by rescan, on every store: evidence is
required, the agent's word moves findings only to fix_submitted, and a rescan
verifies (finding absent) or reopens (still there) and settles the packet."""

from __future__ import annotations

from typing import Any

import pytest
from ingest_helpers import by_status, findings, ingest
from loop_helpers import AGENT, LEASE, OTHER_AGENT, SHELL_HIT, Loop, guard_engine, make_loop
from reports import HITS, semgrep

from pearl_core import FindingStatus, PearlError, RegorusEngine
from pearl_core.domain.enums import TaskPacketStatus
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.services.outcomes import report_outcome
from pearl_core.services.packets import claim_task_packet
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio
__all__ = ["guard_engine"]

EVIDENCE: dict[str, Any] = {
    "status": "fixed",
    "summary": "Run the command as an argv list without a shell.",
    "changed_files": [{"path": "app/run.py", "sha256": "ab" * 32}],
    "commit_sha": "0123456789abcdef0123456789abcdef01234567",
    "test_results": [{"name": "tests/test_run.py", "status": "passed"}],
}


@pytest.fixture
async def loop(any_store: UnitOfWorkFactory, clock: FakeClock, guard_engine: RegorusEngine) -> Loop:
    made = await make_loop(any_store, clock, guard_engine)
    await claim_task_packet(
        any_store.unit_of_work(AGENT), made.packet_id, clock=clock, lease_ttl=LEASE
    )
    return made


async def report(loop: Loop, evidence: dict[str, Any], who: Any = AGENT) -> Any:
    return await report_outcome(
        loop.store.unit_of_work(who), loop.packet_id, evidence, clock=loop.clock
    )


async def status_of(loop: Loop) -> FindingStatus:
    return next(f.status for f in await findings(loop.store) if f.finding_id == loop.finding_id)


@pytest.mark.parametrize(
    ("dropped", "missing"),
    [
        ("changed_files", "changed_files"),
        ("test_results", "test_results"),
    ],
)
async def test_an_outcome_without_required_evidence_names_what_is_missing(
    loop: Loop, dropped: str, missing: str
) -> None:
    evidence = {k: v for k, v in EVIDENCE.items() if k != dropped}

    with pytest.raises(PearlError) as caught:
        await report(loop, evidence)

    assert caught.value.code == "validation_failed"
    assert missing in caught.value.details["missing"]
    assert (await loop.packet()).status is TaskPacketStatus.CLAIMED


async def test_a_fixed_outcome_needs_each_required_test_passed(loop: Loop) -> None:
    failing = {**EVIDENCE, "test_results": [{"name": "tests/test_run.py", "status": "failed"}]}

    with pytest.raises(PearlError) as caught:
        await report(loop, failing)

    assert caught.value.code == "validation_failed"
    assert caught.value.details["failed_tests"] == ["tests/test_run.py"]


async def test_a_malformed_outcome_is_a_validation_error(loop: Loop) -> None:
    with pytest.raises(PearlError) as caught:
        await report(loop, {**EVIDENCE, "status": "done!"})

    assert caught.value.code == "validation_failed"


async def test_only_the_lease_holder_reports(loop: Loop) -> None:
    with pytest.raises(PearlError) as caught:
        await report(loop, EVIDENCE, who=OTHER_AGENT)

    assert caught.value.code == "conflict"


async def test_a_fixed_report_submits_the_packet_but_does_not_close_the_finding(
    loop: Loop,
) -> None:
    packet = await report(loop, EVIDENCE)

    assert packet.status is TaskPacketStatus.SUBMITTED
    assert packet.outcome.commit_sha == EVIDENCE["commit_sha"]
    assert await status_of(loop) is FindingStatus.FIX_SUBMITTED


async def test_a_rescan_without_the_finding_verifies_it_and_the_packet(loop: Loop) -> None:
    await report(loop, EVIDENCE)

    await ingest(loop.store, semgrep(*HITS[1:]), clock=loop.clock, scope="full")

    assert await status_of(loop) is FindingStatus.FIXED_VERIFIED
    assert (await loop.packet()).status is TaskPacketStatus.VERIFIED


async def test_a_rescan_that_still_finds_it_reopens_it_and_rejects_the_packet(loop: Loop) -> None:
    await report(loop, EVIDENCE)

    await ingest(loop.store, semgrep(*HITS), clock=loop.clock, scope="full")

    assert await status_of(loop) is FindingStatus.REOPENED
    assert (await loop.packet()).status is TaskPacketStatus.REJECTED
    assert (await by_status(loop.store))[SHELL_HIT.rule] == "reopened"


async def test_a_failed_outcome_gives_the_packet_back_with_the_report(loop: Loop) -> None:
    packet = await report(loop, {**EVIDENCE, "status": "failed"})

    assert (packet.status, packet.lease) == (TaskPacketStatus.AVAILABLE, None)
    assert packet.outcome.status == "failed"
    assert await status_of(loop) is FindingStatus.IN_PROGRESS
