"""Ingesting a contract findings batch, and reading findings back."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from rest_loop import ok
from rest_world import AS, Contract

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
CUSTOMER = "proj_customer_support_ai"
INGEST = "/api/v1/findings/ingest"


@pytest.fixture
def receipt_schema(spec_dir: Path) -> dict[str, Any]:
    """The contract's inline schema of the ingest answer."""
    spec = yaml.safe_load((spec_dir / "openapi" / "pearl-api-v1.1.yaml").read_text())
    operation = spec["paths"][INGEST]["post"]
    schema: dict[str, Any] = operation["responses"]["202"]["content"]["application/json"]["schema"]
    return schema


async def _project(client: httpx2.AsyncClient, example: Example) -> None:
    body = example("project/create-project.request.json")
    await ok(await client.post("/api/v1/projects", json=body, headers=AS["admin"]), 201)


async def test_the_ingest_example_is_accepted_and_its_receipt_is_the_contracts(
    client: httpx2.AsyncClient,
    example: Example,
    contract: Contract,
    receipt_schema: dict[str, Any],
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    assert contract("findings/findings-ingest-request", batch) == []

    response = await client.post(
        INGEST, json=batch, headers=AS["operator"] | {"X-Trace-Id": "trc_ingest_001"}
    )

    assert response.status_code == 202, response.text
    receipt = response.json()
    assert contract(receipt_schema, receipt) == []
    assert receipt["batch_id"] == "batch_cspm_20260221_001"
    assert (receipt["accepted_count"], receipt["quarantined_count"]) == (1, 0)
    assert receipt["trace_id"] == "trc_ingest_001"


async def test_an_ingested_finding_reads_back_with_its_lifecycle(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    await ok(await client.post(INGEST, json=batch, headers=AS["operator"]), 202)

    listed = await ok(
        await client.get(
            "/api/v1/findings",
            params={"project_id": CUSTOMER, "severity": "high", "status": "open"},
            headers=AS["agent"],
        )
    )
    [finding] = listed["items"]
    read = await ok(
        await client.get(f"/api/v1/findings/{finding['finding_id']}", headers=AS["viewer"])
    )

    assert read == finding
    assert (finding["title"], finding["status"]) == (
        "Undeclared outbound egress rule on API service",
        "open",
    )
    assert finding["source"]["tool_name"] == "AcmeCSPM"
    assert finding["environment"] == "preprod"


async def test_a_resent_batch_changes_nothing(client: httpx2.AsyncClient, example: Example) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")

    await ok(await client.post(INGEST, json=batch, headers=AS["operator"]), 202)
    again = await ok(
        await client.post(INGEST, json=batch, headers=AS["operator"], params={"view": "pearl"}),
        202,
    )

    assert (again["ingest"]["created"], again["ingest"]["unchanged"]) == (0, 1)


async def test_an_idempotency_key_replays_its_batch_and_refuses_another(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    other = copy.deepcopy(batch)
    other["findings"][0]["title"] = "Another title"
    headers = AS["operator"] | {"Idempotency-Key": "ingest-key-0001"}

    first = await ok(
        await client.post(INGEST, json=batch, headers=headers, params={"view": "pearl"}), 202
    )
    replay = await ok(
        await client.post(INGEST, json=batch, headers=headers, params={"view": "pearl"}), 202
    )
    refused = await client.post(INGEST, json=other, headers=headers)

    assert replay["ingest"]["ingest_id"] == first["ingest"]["ingest_id"]
    assert replay["ingest"]["idempotent_replay"] is True
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"


async def test_a_batch_spanning_two_environments_is_refused(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    second = copy.deepcopy(batch["findings"][0]) | {"finding_id": "find_cspm_002"}
    second["environment"] = "prod"
    batch["findings"].append(second)

    response = await client.post(INGEST, json=batch, headers=AS["operator"])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert contract("common/error-response", response.json()) == []


@pytest.mark.parametrize(
    ("who", "status", "code"), [("agent", 403, "forbidden"), ("reviewer", 403, "forbidden")]
)
async def test_only_operators_ingest(
    client: httpx2.AsyncClient, example: Example, who: str, status: int, code: str
) -> None:
    await _project(client, example)

    response = await client.post(
        INGEST, json=example("findings/findings-ingest.request.json"), headers=AS[who]
    )

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_a_batch_for_an_unknown_project_is_not_found(
    client: httpx2.AsyncClient, example: Example
) -> None:
    response = await client.post(
        INGEST, json=example("findings/findings-ingest.request.json"), headers=AS["operator"]
    )

    assert response.status_code == 404


async def test_a_finding_without_a_required_field_is_refused(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _project(client, example)
    batch = example("findings/findings-ingest.request.json")
    del batch["findings"][0]["severity"]

    response = await client.post(INGEST, json=batch, headers=AS["operator"])

    assert response.status_code == 400
    assert response.json()["error"]["details"]["errors"][0]["field"] == "findings.0.severity"


async def test_an_unknown_finding_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/findings/find_nope", headers=AS["viewer"])

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
