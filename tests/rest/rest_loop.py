"""A project ready for agents, set up the way a deployment would: through the REST API,
plus the one step REST does not take (a scanner report; the CLI ingests those)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx2
from rest_world import AS, PRINCIPALS

from pearl_core import Environment, IngestRequest, ingest_report
from pearl_mcp.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
PROJECT = "proj_orders"
REASON = {"X-Change-Reason": "onboarding the orders service"}


async def ok(response: httpx2.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def make_project(client: httpx2.AsyncClient, project_id: str = PROJECT) -> str:
    """The project, with the example app's spec (commits need an approval)."""
    body = {"name": "Orders", "project_id": project_id}
    await ok(await client.post("/api/v1/projects", json=body, headers=AS["admin"]), 201)
    spec = json.loads((APP / "pearl-app-spec.json").read_text())
    await ok(
        await client.post(
            f"/api/v1/projects/{project_id}/app-spec",
            json=spec,
            headers=AS["admin"] | REASON,
        )
    )
    return project_id


async def compile_dev(client: httpx2.AsyncClient, project_id: str = PROJECT) -> dict[str, Any]:
    body = {"schema_version": "1.1", "project_id": project_id, "environment": "dev"}
    return await ok(
        await client.post(
            f"/api/v1/projects/{project_id}/compile-context", json=body, headers=AS["operator"]
        ),
        202,
    )


async def scan(runtime: Runtime, project_id: str = PROJECT) -> None:
    """The committed Semgrep scan of the example app, ingested as an operator would."""
    pearl = runtime.pearl
    request = IngestRequest(
        project_id=project_id,
        environment=Environment.DEV,
        source_name="semgrep.sarif",
    )
    await ingest_report(
        runtime.uow(PRINCIPALS["operator"]),
        request,
        io.BytesIO((APP / "scans" / "semgrep.sarif").read_bytes()),
        clock=pearl.clock,
        limits=pearl.ingest_limits,
    )


async def shell_finding(client: httpx2.AsyncClient, project_id: str = PROJECT) -> str:
    listed = await ok(
        await client.get(
            "/api/v1/findings", params={"project_id": project_id}, headers=AS["operator"]
        )
    )
    return next(
        f["finding_id"]
        for f in listed["items"]
        if any(loc["path"] == "app/shell.py" for loc in f.get("locations", []))
    )


async def ready_packet(client: httpx2.AsyncClient, runtime: Runtime) -> tuple[str, str]:
    """``(task_packet_id, finding_id)`` of the shell=True fix, generated and claimed by
    the agent."""
    await make_project(client)
    await compile_dev(client)
    await scan(runtime)
    finding = await shell_finding(client)
    body = {"schema_version": "1.1", "finding_refs": [finding], "environment": "dev"}
    await ok(
        await client.post(
            f"/api/v1/projects/{PROJECT}/remediation-specs/generate",
            json=body,
            headers=AS["operator"],
        ),
        201,
    )
    packets = await ok(
        await client.get(f"/api/v1/projects/{PROJECT}/task-packets", headers=AS["agent"])
    )
    packet = next(p for p in packets["items"] if finding in p["finding_refs"])
    claimed = await ok(
        await client.post(
            f"/api/v1/task-packets/{packet['task_packet_id']}/claim", headers=AS["agent"]
        )
    )
    assert claimed["status"] == "claimed"
    return packet["task_packet_id"], finding
