"""The REST app as a whole: authentication, trace ids, error bodies, permissions, and
the served OpenAPI document against the routes and against the v1.1 contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from rest_world import AS, TOKENS, Contract
from starlette.applications import Starlette
from starlette.routing import Mount

from pearl_core import RegorusEngine, Settings, bootstrap
from pearl_mcp.http_auth import auth_middleware
from pearl_mcp.rest import PearlRestApp, build_rest_app
from pearl_mcp.rest.app import check_permissions, served_operations
from pearl_mcp.rest.permissions import PUBLIC_PATHS, ROUTE_PERMISSIONS
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

#: Contract operations PeaRL does not serve, and why.
NOT_SERVED: dict[tuple[str, str], str] = {}
METHODS = {"get", "put", "post", "delete", "patch"}


def _operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }


def _routes(app: PearlRestApp) -> set[tuple[str, str]]:
    return {(method, path) for method, path, _ in served_operations(app)}


async def test_a_request_without_a_token_is_401_with_a_bearer_challenge(
    client: httpx2.AsyncClient, contract: Contract
) -> None:
    response = await client.get("/api/v1/projects/proj_any")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"
    assert contract("common/error-response", response.json()) == []


async def test_an_unknown_token_is_401(client: httpx2.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/projects/proj_any", headers={"Authorization": "Bearer not-a-token"}
    )

    assert response.status_code == 401


async def test_the_callers_trace_id_is_echoed_and_used_in_error_bodies(
    client: httpx2.AsyncClient,
) -> None:
    headers = {**AS["viewer"], "X-Trace-Id": "trc_rest_echo_01"}
    response = await client.get("/api/v1/projects/proj_missing", headers=headers)

    assert response.status_code == 404
    assert response.headers["x-trace-id"] == "trc_rest_echo_01"
    assert response.json()["error"]["trace_id"] == "trc_rest_echo_01"


async def test_a_response_without_a_trace_id_gets_a_fresh_one(client: httpx2.AsyncClient) -> None:
    first = await client.get("/api/v1/projects/proj_missing", headers=AS["viewer"])
    second = await client.get("/api/v1/projects/proj_missing", headers=AS["viewer"])

    assert first.headers["x-trace-id"].startswith("trc_")
    assert first.headers["x-trace-id"] != second.headers["x-trace-id"]


async def test_a_malformed_trace_id_is_refused(
    client: httpx2.AsyncClient, contract: Contract
) -> None:
    headers = {**AS["viewer"], "X-Trace-Id": "short"}
    response = await client.get("/api/v1/projects/proj_missing", headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert contract("common/error-response", response.json()) == []


async def test_an_unknown_path_is_a_not_found_error_body(
    client: httpx2.AsyncClient, contract: Contract
) -> None:
    response = await client.get("/api/v1/nothing-here", headers=AS["viewer"])

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert contract("common/error-response", response.json()) == []


async def test_a_bad_path_parameter_is_a_validation_error_body(
    client: httpx2.AsyncClient, contract: Contract
) -> None:
    response = await client.get("/api/v1/projects/not-a-project-id", headers=AS["viewer"])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert contract("common/error-response", response.json()) == []


async def test_a_body_that_is_not_json_is_a_validation_error(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/projects", content=b"{not json", headers=AS["operator"])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


async def test_a_body_over_the_limit_is_413(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/projects", content=b" " * (1024 * 1024 + 1), headers=AS["operator"]
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "limit_exceeded"


async def test_another_orgs_admin_sees_not_found_not_forbidden(
    client: httpx2.AsyncClient,
) -> None:
    created = await client.post(
        "/api/v1/projects", json={"name": "Mine", "project_id": "proj_mine"}, headers=AS["admin"]
    )
    assert created.status_code == 201
    mine = await client.get("/api/v1/projects/proj_mine", headers=AS["stranger"])
    missing = await client.get("/api/v1/projects/proj_nobodys", headers=AS["stranger"])

    assert (mine.status_code, missing.status_code) == (404, 404)
    assert mine.json()["error"]["message"].replace("mine", "X") == missing.json()["error"][
        "message"
    ].replace("nobodys", "X")


def test_every_route_declares_a_permission(rest_app: PearlRestApp) -> None:
    operations = [operation for _, _, operation in served_operations(rest_app)]

    assert sorted(operations) == sorted(ROUTE_PERMISSIONS)


def test_an_app_with_an_undeclared_route_is_not_built(rest_app: PearlRestApp) -> None:
    app = rest_app
    app.add_api_route("/api/v1/extra", lambda: None, operation_id="undeclaredExtra")

    with pytest.raises(LookupError, match=r"/api/v1/extra"):
        check_permissions(app)


def test_the_served_openapi_describes_exactly_the_routes(rest_app: PearlRestApp) -> None:
    assert _operations(rest_app.openapi()) == _routes(rest_app)


def test_every_contract_operation_is_served_or_explained(
    rest_app: PearlRestApp, spec_dir: Path
) -> None:
    contract = yaml.safe_load((spec_dir / "openapi" / "pearl-api-v1.1.yaml").read_text())

    missing = _operations(contract) - _routes(rest_app)

    assert missing == set(NOT_SERVED)


def test_contract_operations_keep_their_operation_ids(
    rest_app: PearlRestApp, spec_dir: Path
) -> None:
    contract = yaml.safe_load((spec_dir / "openapi" / "pearl-api-v1.1.yaml").read_text())
    served = rest_app.openapi()["paths"]

    for method, path in _operations(contract) - set(NOT_SERVED):
        expected = contract["paths"][path][method]["operationId"]
        assert served[path][method]["operationId"] == expected, (method, path)


def test_every_schema_reference_in_the_served_openapi_resolves(rest_app: PearlRestApp) -> None:
    spec = rest_app.openapi()
    refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    names = {ref.removeprefix("#/components/schemas/") for ref in refs}
    assert names <= set(spec["components"]["schemas"])


def test_every_operation_names_its_permission_in_the_openapi(rest_app: PearlRestApp) -> None:
    spec = rest_app.openapi()

    for path, item in spec["paths"].items():
        for method, operation in item.items():
            permission = ROUTE_PERMISSIONS[operation["operationId"]]
            assert operation["x-pearl-permission"] == permission.value, (method, path)


async def test_openapi_and_docs_are_served_without_a_token_and_without_scripts(
    client: httpx2.AsyncClient,
) -> None:
    spec = await client.get("/api/v1/openapi.json")
    docs = await client.get("/api/v1/docs")

    assert spec.status_code == docs.status_code == 200
    assert spec.json()["openapi"].startswith("3.1")
    assert "<script" not in docs.text
    assert "http" not in docs.text.split("<body>")[1]
    assert "/api/v1/task-packets/{task_packet_id}/check-action" in docs.text
    assert set(PUBLIC_PATHS) == {"/api/v1/openapi.json", "/api/v1/docs"}


async def test_the_app_also_works_mounted_behind_the_servers_auth_middleware(
    runtime: Runtime,
) -> None:
    server = Starlette(
        routes=[Mount("/", app=build_rest_app(runtime))], middleware=auth_middleware(TOKENS)
    )
    transport = httpx2.ASGITransport(app=server)
    async with httpx2.AsyncClient(transport=transport, base_url="http://pearl.test") as http:
        anonymous = await http.get("/api/v1/projects/proj_x")
        known = await http.get("/api/v1/projects/proj_x", headers=AS["viewer"])

    assert (anonymous.status_code, known.status_code) == (401, 404)


async def test_an_unmigrated_database_is_a_503_that_reveals_nothing(
    empty_database_url: str, tmp_path: Path, policy_engine: RegorusEngine, contract: Contract
) -> None:
    settings = Settings.from_env(
        {"PEARL_DATABASE_URL": empty_database_url, "PEARL_LOG_LEVEL": "error"}
    )
    runtime = Runtime(bootstrap(settings, configure_logs=False), policy_engine)
    app = build_rest_app(runtime, resolver=TOKENS)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx2.AsyncClient(transport=transport, base_url="http://pearl.test") as http:
            response = await http.get(
                "/api/v1/projects/proj_x", headers=AS["viewer"] | {"X-Trace-Id": "trc_broken_01"}
            )
    finally:
        await runtime.aclose()

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"
    assert response.json()["error"]["trace_id"] == "trc_broken_01"
    assert "details" not in response.json()["error"]
    assert "table" not in response.text.lower()
    assert contract("common/error-response", response.json()) == []
