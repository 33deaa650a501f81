"""Reports: a stored, audited summary of a project's open findings, pending approvals
and exceptions, with the blockers that decide readiness.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pearl_core import PearlError, Report, ReportRequest, generate_report, get_report
from pearl_core.domain.enums import (
    Environment,
    ExceptionStatus,
    FindingStatus,
    RiskLevel,
    Role,
)
from pearl_core.domain.identity import Principal
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import (
    FakeClock,
    make_agent,
    make_approval_request,
    make_exception,
    make_finding,
    make_human_reviewer,
    make_org,
    make_principal,
    make_project,
)

pytestmark = pytest.mark.anyio

ORG = "org_reports"
PROJECT = "proj_payments"
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
REVIEWER = make_human_reviewer(org_id=ORG)
AGENT = make_agent(org_id=ORG)
APPROVAL = "appr_gate_1"
ACTIVE = "exc_active_1"
PENDING = "exc_pending_1"


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with any_store.unit_of_work(OPERATOR) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        for severity, status, environment in (
            (RiskLevel.CRITICAL, FindingStatus.OPEN, Environment.DEV),
            (RiskLevel.HIGH, FindingStatus.FIXED_VERIFIED, Environment.DEV),
            (RiskLevel.LOW, FindingStatus.TRIAGED, Environment.DEV),
            (RiskLevel.HIGH, FindingStatus.OPEN, Environment.PROD),
        ):
            finding = make_finding(
                project_id=PROJECT, severity=severity, status=status, environment=environment
            )
            await uow.findings.add(finding)
        await uow.approvals.add(
            make_approval_request(
                project_id=PROJECT, approval_request_id=APPROVAL, environment=Environment.PROD
            )
        )
        await uow.exceptions.add(make_exception(project_id=PROJECT, exception_id=PENDING))
        await uow.exceptions.add(
            make_exception(project_id=PROJECT, exception_id=ACTIVE, status=ExceptionStatus.ACTIVE)
        )
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    return any_store


def readiness(**fields: Any) -> ReportRequest:
    """A release-readiness request (as a caller sends it: JSON), with ``fields`` changed."""
    values = {"report_type": "release_readiness", "format": "json"} | fields
    return ReportRequest.model_validate_json(json.dumps(values))


async def generate(
    store: UnitOfWorkFactory, clock: FakeClock, who: Principal = OPERATOR, **options: Any
) -> Report:
    request = options.pop("request", readiness())
    return await generate_report(store.unit_of_work(who), PROJECT, request, clock=clock, **options)


async def test_a_report_counts_open_findings_and_names_its_blockers(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    report = await generate(store, clock)

    assert isinstance(report.content, dict)
    assert report.content["findings"] == {
        "open": 3,
        "open_by_severity": {"critical": 1, "high": 1, "moderate": 0, "low": 1},
    }
    assert report.content["blockers"] == [
        "1 open critical finding(s)",
        "1 open high finding(s)",
        f"Open approval request: {APPROVAL}",
    ]
    assert report.content["summary"]["ready"] is False
    assert report.content["exceptions"] == {"pending": [PENDING], "active": [ACTIVE]}
    assert (report.status.value, report.project_id) == ("ready", PROJECT)


async def test_an_environment_filter_narrows_findings_and_approvals(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    report = await generate(
        store, clock, request=readiness(filters={"environment": "dev"}, include_references=True)
    )

    assert isinstance(report.content, dict)
    assert report.content["findings"]["open"] == 2
    assert report.content["approvals"] == {"pending": []}
    assert report.content["summary"]["environment"] == "dev"
    assert {"ref_id": ACTIVE, "kind": "exception"} in report.content["references"]


async def test_a_markdown_report_says_the_same_in_text(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    report = await generate(store, clock, request=readiness(format="markdown"))

    assert isinstance(report.content, str)
    assert report.content.startswith(f"# Release readiness: {PROJECT}")
    assert "Ready: no" in report.content
    assert f"- Open approval request: {APPROVAL}" in report.content


async def test_a_report_is_stored_and_audited(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    report = await generate(store, clock)

    assert await get_report(store.unit_of_work(REVIEWER), report.report_id) == report
    async with store.unit_of_work(OPERATOR) as uow:
        actions = [e.action async for e in uow.audit.events() if e.resource_id == report.report_id]
    assert actions == ["report.generated"]


@pytest.mark.parametrize(
    "filters", [{"team": "payments"}, {"environment": "moon"}, {"environment": 3}]
)
async def test_unknown_filters_are_refused(
    store: UnitOfWorkFactory, clock: FakeClock, filters: dict[str, Any]
) -> None:
    request = readiness(report_type="residual_risk", filters=filters)

    with pytest.raises(PearlError) as refused:
        await generate(store, clock, request=request)

    assert refused.value.code == "validation_failed"


async def test_agents_do_not_generate_reports(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    with pytest.raises(PearlError) as refused:
        await generate(store, clock, AGENT)

    assert refused.value.code == "forbidden"


async def test_a_report_for_an_unknown_project_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as refused:
        await generate_report(store.unit_of_work(OPERATOR), "proj_x", readiness(), clock=clock)

    assert refused.value.code == "not_found"


async def test_a_retry_under_its_key_returns_the_stored_report(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await generate(store, clock, idempotency_key="report-1")
    clock.advance(60)
    again = await generate(store, clock, idempotency_key="report-1")

    with pytest.raises(PearlError) as other:
        await generate(
            store, clock, request=readiness(format="markdown"), idempotency_key="report-1"
        )
    assert again == first
    assert other.value.code == "conflict"
