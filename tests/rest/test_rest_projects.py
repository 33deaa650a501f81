"""Projects and context documents over REST, against the contract's examples and schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from rest_loop import REASON
from rest_world import AS, Contract

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
CUSTOMER = "proj_customer_support_ai"


async def _project(client: httpx2.AsyncClient, example: Example) -> None:
    body = example("project/create-project.request.json")
    response = await client.post("/api/v1/projects", json=body, headers=AS["admin"])
    assert response.status_code == 201, response.text


async def test_the_create_project_example_creates_a_contract_project(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    response = await client.post(
        "/api/v1/projects",
        json=example("project/create-project.request.json"),
        headers=AS["operator"],
    )

    assert response.status_code == 201
    assert response.headers["location"] == f"/api/v1/projects/{CUSTOMER}"
    assert contract("project/project", response.json()) == []
    assert response.json()["name"] == "Customer Support AI Assistant"


async def test_the_create_project_response_example_is_accepted_as_a_request(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    response = await client.post(
        "/api/v1/projects",
        json=example("project/create-project.response.json"),
        headers=AS["operator"],
    )

    assert response.status_code == 201
    assert response.json()["created_at"] != "2026-02-21T10:30:00-06:00"  # the server's time
    assert contract("project/project", response.json()) == []


async def test_an_agent_cannot_create_a_project(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    response = await client.post(
        "/api/v1/projects",
        json=example("project/create-project.request.json"),
        headers=AS["agent"],
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert contract("common/error-response", response.json()) == []


async def test_creating_a_project_twice_is_a_conflict(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    again = await client.post(
        "/api/v1/projects",
        json=example("project/create-project.request.json"),
        headers=AS["admin"],
    )

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_exists"


async def test_an_unknown_field_in_a_project_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/projects", json={"name": "X", "colour": "red"}, headers=AS["admin"]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


async def test_a_viewer_reads_a_project_and_an_unknown_one_is_not_found(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)

    found = await client.get(f"/api/v1/projects/{CUSTOMER}", headers=AS["viewer"])
    missing = await client.get("/api/v1/projects/proj_nope", headers=AS["viewer"])

    assert found.status_code == 200
    assert contract("project/project", found.json()) == []
    assert missing.status_code == 404
    assert contract("common/error-response", missing.json()) == []


@pytest.mark.parametrize(
    ("path", "example_file", "schema"),
    [
        ("org-baseline", "project/org-baseline.request.json", "project/org-baseline"),
        ("app-spec", "project/app-spec.request.json", "project/application-spec"),
        (
            "environment-profile",
            "project/environment-profile.request.json",
            "project/environment-profile",
        ),
    ],
)
async def test_an_admin_stores_each_context_document_example_with_a_reason(
    client: httpx2.AsyncClient,
    example: Example,
    contract: Contract,
    path: str,
    example_file: str,
    schema: str,
) -> None:
    await _project(client, example)
    url = f"/api/v1/projects/{CUSTOMER}/{path}"

    stored = await client.post(url, json=example(example_file), headers=AS["admin"] | REASON)
    again = await client.post(url, json=example(example_file), headers=AS["admin"] | REASON)

    assert stored.status_code == 200, stored.text
    assert contract(schema, stored.json()) == []
    assert stored.headers["x-pearl-document-version"] == again.headers["x-pearl-document-version"]


@pytest.mark.parametrize(
    ("who", "reason", "code"),
    [
        ("admin", {}, "reason_required"),
        ("operator", REASON, "forbidden"),
        ("agent", REASON, "human_required"),
    ],
)
async def test_a_context_document_needs_a_human_admin_and_a_reason(
    client: httpx2.AsyncClient,
    example: Example,
    contract: Contract,
    who: str,
    reason: dict[str, str],
    code: str,
) -> None:
    await _project(client, example)

    response = await client.post(
        f"/api/v1/projects/{CUSTOMER}/org-baseline",
        json=example("project/org-baseline.request.json"),
        headers=AS[who] | reason,
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == code
    assert contract("common/error-response", response.json()) == []


async def test_a_document_for_an_unknown_project_is_not_found(
    client: httpx2.AsyncClient, example: Example
) -> None:
    response = await client.post(
        "/api/v1/projects/proj_nope/app-spec",
        json=example("project/app-spec.request.json"),
        headers=AS["admin"] | REASON,
    )

    assert response.status_code == 404


async def test_updating_a_project_replaces_its_fields_and_keeps_its_identity(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    body = example("project/create-project.request.json") | {
        "name": "Customer Support AI (v2)",
        "ai_enabled": False,
    }

    response = await client.put(f"/api/v1/projects/{CUSTOMER}", json=body, headers=AS["operator"])

    assert response.status_code == 200, response.text
    assert contract("project/project", response.json()) == []
    assert (response.json()["name"], response.json()["ai_enabled"]) == (
        "Customer Support AI (v2)",
        False,
    )
    again = await client.get(f"/api/v1/projects/{CUSTOMER}", headers=AS["operator"])
    assert again.json()["name"] == "Customer Support AI (v2)"


@pytest.mark.parametrize(
    ("who", "change", "status", "code"),
    [
        ("agent", {}, 403, "forbidden"),
        ("operator", {"project_id": "proj_other"}, 400, "validation_failed"),
        ("operator", {"business_criticality": "galactic"}, 400, "validation_failed"),
    ],
)
async def test_a_project_update_is_refused_for_the_wrong_caller_or_body(
    client: httpx2.AsyncClient,
    example: Example,
    who: str,
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    await _project(client, example)
    body = example("project/create-project.request.json") | change

    response = await client.put(f"/api/v1/projects/{CUSTOMER}", json=body, headers=AS[who])

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    unchanged = await client.get(f"/api/v1/projects/{CUSTOMER}", headers=AS["operator"])
    assert unchanged.json()["name"] == "Customer Support AI Assistant"


async def test_updating_an_unknown_project_is_not_found(
    client: httpx2.AsyncClient, example: Example
) -> None:
    body = example("project/create-project.request.json") | {"project_id": "proj_nobody"}

    response = await client.put("/api/v1/projects/proj_nobody", json=body, headers=AS["operator"])

    assert response.status_code == 404
