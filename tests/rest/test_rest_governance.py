"""Exceptions (requested, never granted, over REST) and reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from rest_loop import ok
from rest_world import AS, PRINCIPALS, Contract

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
CUSTOMER = "proj_customer_support_ai"
EXCEPTIONS = "/api/v1/exceptions"
REPORT = f"/api/v1/projects/{CUSTOMER}/reports/generate"


async def _project(client: httpx2.AsyncClient, example: Example) -> None:
    body = example("project/create-project.request.json")
    await ok(await client.post("/api/v1/projects", json=body, headers=AS["admin"]), 201)


async def test_the_active_exception_example_is_stored_pending_with_no_approvers(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    body = example("exceptions/create-exception.request.json")
    assert body["status"] == "active"

    response = await client.post(EXCEPTIONS, json=body, headers=AS["agent"])

    assert response.status_code == 201, response.text
    record = response.json()
    assert contract("workflow/exception-record", record) == []
    assert (record["status"], record.get("approved_by", [])) == ("pending", [])
    assert record["requested_by"] == PRINCIPALS["agent"].subject_id
    listed = await ok(
        await client.get(EXCEPTIONS, params={"project_id": CUSTOMER}, headers=AS["reviewer"])
    )
    assert [e["exception_id"] for e in listed["items"]] == ["exc_preprod_temp_egress_001"]


@pytest.mark.parametrize("who", ["viewer", "reviewer"])
async def test_viewers_and_reviewers_do_not_request_exceptions(
    client: httpx2.AsyncClient, example: Example, contract: Contract, who: str
) -> None:
    await _project(client, example)

    response = await client.post(
        EXCEPTIONS, json=example("exceptions/create-exception.request.json"), headers=AS[who]
    )

    assert response.status_code == 403
    assert contract("common/error-response", response.json()) == []


async def test_an_exception_must_expire_in_the_future(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    body = example("exceptions/create-exception.request.json")
    body |= {"start_at": "2020-01-01T00:00:00Z", "expires_at": "2020-02-01T00:00:00Z"}

    response = await client.post(EXCEPTIONS, json=body, headers=AS["operator"])

    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "expires_at"


async def test_an_exception_id_is_taken_once_unless_the_same_key_retries(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    body = example("exceptions/create-exception.request.json")
    keyed = AS["operator"] | {"Idempotency-Key": "exception-key-01"}

    first = await ok(await client.post(EXCEPTIONS, json=body, headers=keyed), 201)
    replay = await ok(await client.post(EXCEPTIONS, json=body, headers=keyed), 201)
    changed = await client.post(EXCEPTIONS, json=body | {"rationale": "other"}, headers=keyed)
    unkeyed = await client.post(EXCEPTIONS, json=body, headers=AS["operator"])

    assert replay == first
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "conflict")
    assert (unkeyed.status_code, unkeyed.json()["error"]["code"]) == (409, "already_exists")


async def test_an_exception_for_an_unknown_project_is_not_found(
    client: httpx2.AsyncClient, example: Example
) -> None:
    response = await client.post(
        EXCEPTIONS, json=example("exceptions/create-exception.request.json"), headers=AS["operator"]
    )

    assert response.status_code == 404


async def test_the_report_example_builds_a_ready_contract_report(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)

    response = await client.post(
        REPORT, json=example("reports/generate-report.request.json"), headers=AS["reviewer"]
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert contract("workflow/report-response", report) == []
    assert (report["status"], report["format"]) == ("ready", "json")
    assert report["content"]["summary"] == {
        "project_id": CUSTOMER,
        "report_type": "release_readiness",
        "ready": True,
        "environment": "preprod",
    }


async def test_an_open_high_finding_blocks_release_readiness(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    await ok(await client.post("/api/v1/findings/ingest", json=batch, headers=AS["operator"]), 202)

    report = await ok(
        await client.post(
            REPORT, json=example("reports/generate-report.request.json"), headers=AS["operator"]
        )
    )
    markdown = await ok(
        await client.post(
            REPORT,
            json={
                "schema_version": "1.1",
                "report_type": "release_readiness",
                "format": "markdown",
            },
            headers=AS["operator"],
        )
    )

    assert report["content"]["summary"]["ready"] is False
    assert report["content"]["blockers"] == ["1 open high finding(s)"]
    assert "Ready: no" in markdown["content"]


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("agent", {}, 403),
        ("operator", {"filters": {"team": "x"}}, 400),
        ("operator", {"format": "pdf"}, 400),
    ],
)
async def test_reports_are_refused_to_agents_and_for_unknown_filters(
    client: httpx2.AsyncClient, example: Example, who: str, body: dict[str, Any], status: int
) -> None:
    await _project(client, example)
    request = example("reports/generate-report.request.json") | body

    response = await client.post(REPORT, json=request, headers=AS[who])

    assert response.status_code == status


async def test_a_report_retried_with_its_key_is_the_stored_one(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    body = example("reports/generate-report.request.json")
    keyed = AS["operator"] | {"Idempotency-Key": "report-key-0001"}

    first = await ok(await client.post(REPORT, json=body, headers=keyed))
    again = await ok(await client.post(REPORT, json=body, headers=keyed))
    other = await client.post(REPORT, json=body | {"format": "markdown"}, headers=keyed)

    assert again == first
    assert other.status_code == 409
