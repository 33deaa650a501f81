"""The classification step of ingest, on records made by hand.

The pipeline repairs what the domain would refuse, so these records reach the
planner only through a parser bug; the planner and the writer still
quarantine them instead of failing the batch.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_helpers import PROJECT, findings, seed
from reports import OPERATOR

from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel, ToolType
from pearl_core.domain.findings import content_digest
from pearl_core.ingest.records import (
    NormalizedFinding,
    ParsedFinding,
    ParsedLocation,
    ParsedPackage,
    ReportInfo,
)
from pearl_core.ports import FindingIndexEntry, UnitOfWorkFactory
from pearl_core.services._ingest_apply import apply_plan
from pearl_core.services._ingest_plan import (
    Pending,
    Target,
    build_finding,
    content_of,
    cross_key,
    plan_ingest,
)

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OPEN = FindingStatus.OPEN
TARGET = Target(PROJECT, Environment.DEV, NOW)


def record(n: int, *, tool: str = "semgrep", **overrides: object) -> NormalizedFinding:
    fields: dict[str, object] = {
        "tool_name": tool,
        "tool_type": ToolType.SAST,
        "rule_id": f"rule-{n}",
        "title": f"Problem {n}",
        "severity": RiskLevel.HIGH,
        "raw_record_ref": f"results[{n}]",
        "locations": (ParsedLocation(path=f"app/{n}.py", start_line=n + 1, end_line=n + 2),),
    }
    return NormalizedFinding(
        finding=ParsedFinding(**(fields | overrides)),  # type: ignore[arg-type]
        fingerprint=f"loc:{n}",
        snippet_hashes=("a" * 64,),
        cross_tool_key=None,
    )


INFO = ReportInfo(format="semgrep", tool_names={"semgrep"})


@pytest.mark.parametrize(
    "item",
    [
        record(1),
        record(2, locations=(), description="A longer story", cwe_ids=("CWE-79",)),
        record(
            3,
            tool_type=ToolType.SCA,
            cve_ids=("CVE-2024-1234",),
            package=ParsedPackage("pypi", "jinja2", "3.1.2", "3.1.3", "requirements.txt"),
            fix_available=True,
        ),
    ],
    ids=["code", "no-location", "package"],
)
def test_a_records_content_digest_is_the_digest_of_the_finding_it_builds(
    item: NormalizedFinding,
) -> None:
    pending = Pending("find_1", item.fingerprint, None, item)

    assert build_finding(pending, TARGET).content_digest() == content_digest(content_of(item))


def test_a_long_cross_tool_key_is_stored_as_its_digest() -> None:
    short, long = "CVE-2024-1|pypi|a|requirements.txt", "CVE-2024-1|npm|" + "x" * 300

    assert cross_key(short) == short
    assert cross_key(long) is not None
    assert cross_key(long).startswith("sha256:")  # type: ignore[union-attr]
    assert len(cross_key(long)) == 71  # type: ignore[arg-type]


async def test_a_new_record_that_makes_no_valid_finding_is_quarantined_when_written(
    any_store: UnitOfWorkFactory,
) -> None:
    await seed(any_store)
    open_elsewhere = FindingIndexEntry("find_old", "loc:9", None, "semgrep", OPEN, "h")
    bad = record(2, tool="x" * 300)  # FindingSource.tool_name holds 200 characters

    plan = plan_ingest([record(1), bad], [open_elsewhere], target=TARGET, scope="full", info=INFO)
    assert plan.resolves == ["find_old"]  # what the plan alone would have resolved
    async with any_store.unit_of_work(OPERATOR) as uow:
        applied = await apply_plan(uow, plan, target=TARGET)
        await uow.audit.record("test.applied", resource_type="test", resource_id="x")
        await uow.commit()

    assert [q.record for q in applied.quarantine] == ["results[2]"]
    assert "tool_name" in applied.quarantine[0].reason
    assert (len(applied.ids.created), applied.ids.resolved) == (1, ())
    assert applied.resolution == "quarantined_records"
    assert [f.rule_id for f in await findings(any_store)] == ["rule-1"]


def test_a_changed_record_that_makes_no_valid_finding_is_quarantined_before_writing() -> None:
    stored = FindingIndexEntry("find_1", "loc:1", None, "semgrep", OPEN, "stale")

    plan = plan_ingest(
        [record(1, title="t" * 1001)], [stored], target=TARGET, scope="full", info=INFO
    )

    assert (plan.updates, [q.record for q in plan.quarantine]) == ([], ["results[1]"])
    assert (plan.resolves, plan.resolution) == ([], "quarantined_records")
