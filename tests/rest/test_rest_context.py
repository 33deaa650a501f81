"""Compiling context as a job, reading the job, and reading the compiled package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from rest_loop import REASON, ok
from rest_world import AS, Contract

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
CUSTOMER = "proj_customer_support_ai"
COMPILE = f"/api/v1/projects/{CUSTOMER}/compile-context"


async def _project(client: httpx2.AsyncClient, example: Example, *, app_spec: bool = True) -> None:
    body = example("project/create-project.request.json")
    await ok(await client.post("/api/v1/projects", json=body, headers=AS["admin"]), 201)
    if app_spec:
        spec = example("project/app-spec.request.json")
        url = f"/api/v1/projects/{CUSTOMER}/app-spec"
        await ok(await client.post(url, json=spec, headers=AS["admin"] | REASON))


async def test_the_compile_example_runs_a_job_that_succeeds_for_every_environment(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)

    response = await client.post(
        COMPILE, json=example("compile/compile-context.request.json"), headers=AS["operator"]
    )

    assert response.status_code == 202, response.text
    job = response.json()
    assert contract("workflow/job-status", job) == []
    assert (job["status"], job["job_type"]) == ("succeeded", "compile_context")
    assert len(job["result_refs"]) == 5
    assert response.headers["location"] == f"/api/v1/jobs/{job['job_id']}"


async def test_a_job_reads_back_as_it_finished(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    job = await ok(
        await client.post(
            COMPILE, json=example("compile/compile-context.request.json"), headers=AS["operator"]
        ),
        202,
    )

    read = await client.get(f"/api/v1/jobs/{job['job_id']}", headers=AS["viewer"])

    assert read.status_code == 200
    assert read.json() == job
    assert contract("workflow/job-status", read.json()) == []


async def test_an_unknown_job_is_not_found(client: httpx2.AsyncClient, contract: Contract) -> None:
    response = await client.get("/api/v1/jobs/job_nope", headers=AS["viewer"])

    assert response.status_code == 404
    assert contract("common/error-response", response.json()) == []


async def test_a_compile_without_an_app_spec_is_a_failed_job_with_typed_errors(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example, app_spec=False)

    response = await client.post(
        COMPILE, json={"project_id": CUSTOMER, "environment": "dev"}, headers=AS["operator"]
    )

    job = response.json()
    assert response.status_code == 202
    assert job["status"] == "failed"
    assert [error["code"] for error in job["errors"]] == ["not_found"]
    assert contract("workflow/job-status", job) == []


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("agent", {}, 403, "forbidden"),
        ("operator", {"project_id": "proj_other"}, 400, "validation_failed"),
        ("operator", {"environment": "moon"}, 400, "validation_failed"),
    ],
)
async def test_a_compile_is_refused_for_agents_and_inconsistent_bodies(
    client: httpx2.AsyncClient,
    example: Example,
    who: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    await _project(client, example)

    response = await client.post(COMPILE, json=body, headers=AS[who])

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_a_compile_of_an_unknown_project_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/projects/proj_nope/compile-context", json={}, headers=AS["operator"]
    )

    assert response.status_code == 404


async def test_a_retried_compile_with_the_same_key_returns_the_first_job(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    headers = AS["operator"] | {"Idempotency-Key": "compile-key-0001"}
    body = {"environment": "preprod"}

    first = await ok(await client.post(COMPILE, json=body, headers=headers), 202)
    second = await ok(await client.post(COMPILE, json=body, headers=headers), 202)

    assert second["job_id"] == first["job_id"]


async def test_the_compiled_package_is_contract_shaped_unless_the_pearl_view_is_asked(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    await ok(await client.post(COMPILE, json={}, headers=AS["operator"]), 202)
    url = f"/api/v1/projects/{CUSTOMER}/compiled-package"

    newest = await client.get(url, headers=AS["agent"])
    preprod = await client.get(url, params={"environment": "preprod"}, headers=AS["agent"])
    full = await client.get(
        url, params={"environment": "preprod", "view": "pearl"}, headers=AS["agent"]
    )

    assert newest.status_code == preprod.status_code == full.status_code == 200
    assert contract("context/compiled-context-package", newest.json()) == []
    assert contract("context/compiled-context-package", preprod.json()) == []
    assert preprod.json()["project_identity"]["environment"] == "preprod"
    assert full.json()["package_metadata"]["integrity"]["signature"]
    assert contract("context/compiled-context-package", full.json()) != []


async def test_there_is_no_compiled_package_before_a_compile(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)

    response = await client.get(
        f"/api/v1/projects/{CUSTOMER}/compiled-package", headers=AS["viewer"]
    )

    assert response.status_code == 404
    assert contract("common/error-response", response.json()) == []
