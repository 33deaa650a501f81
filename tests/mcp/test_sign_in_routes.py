"""Signing in to the server app: /auth/login, /auth/refresh, /auth/logout, the
JWKS document, and the access token then authenticating REST and MCP requests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest

from pearl_core import (
    Pearl,
    RegorusEngine,
    Settings,
    authenticate_password,
    bootstrap,
    bootstrap_admin,
    list_audit_events,
)
from pearl_core.testing import FakeClock
from pearl_mcp.auth_routes import MAX_FAILURES
from pearl_mcp.credentials import CredentialResolver
from pearl_mcp.http_app import build_http_app
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

ORG = "org_signin"
BASE = "http://127.0.0.1:8080"
EMAIL = "admin@example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
async def app_and_pearl(
    tmp_path: Path, sqlite_template: Path, policy_engine: RegorusEngine, clock: FakeClock
) -> AsyncIterator[tuple[httpx2.AsyncClient, Pearl]]:
    database = tmp_path / "pearl.db"
    shutil.copyfile(sqlite_template, database)
    settings = Settings.from_env(
        {
            "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PEARL_DATA_DIR": str(tmp_path),
            "PEARL_ORG_ID": ORG,
            "PEARL_LOG_LEVEL": "error",
        }
    )
    pearl = bootstrap(settings, clock=clock, configure_logs=False)
    await bootstrap_admin(
        pearl.store,
        org_id=ORG,
        org_name="Sign-in",
        email=EMAIL,
        display_name="Ada",
        password=PASSWORD,
        clock=clock,
    )
    runtime = Runtime(pearl, policy_engine)
    issuer = pearl.token_issuer(BASE)
    app = build_http_app(
        runtime, CredentialResolver(runtime, issuer), public_url=BASE, issuer=issuer
    )
    transport = httpx2.ASGITransport(app=app)
    try:
        async with httpx2.AsyncClient(transport=transport, base_url=BASE) as http:
            yield http, pearl
    finally:
        await pearl.aclose()


@pytest.fixture
async def client(app_and_pearl: tuple[httpx2.AsyncClient, Pearl]) -> httpx2.AsyncClient:
    return app_and_pearl[0]


async def login(client: httpx2.AsyncClient, password: str = PASSWORD) -> httpx2.Response:
    return await client.post("/auth/login", json={"email": EMAIL, "password": password})


async def test_a_human_signs_in_and_the_access_token_opens_the_rest_api(
    client: httpx2.AsyncClient,
) -> None:
    signed_in = await login(client)
    tokens = signed_in.json()
    projects = await client.get(
        "/api/v1/approvals/requests", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "no-store"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert projects.status_code == 200


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: httpx2.AsyncClient,
) -> None:
    wrong = await login(client, "not the password at all")
    unknown = await client.post(
        "/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert wrong.json()["error"]["details"] == unknown.json()["error"]["details"]
    assert PASSWORD not in unknown.text


async def test_repeated_failures_lock_the_email_for_a_while(client: httpx2.AsyncClient) -> None:
    for _ in range(MAX_FAILURES):
        await login(client, "guessing the password")

    locked = await login(client)  # even the right password, for now

    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "limit_exceeded"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"email": "a@b.c"}',
        b'{"email": 3, "password": "x"}',
        b"[" * 10_000,  # nested past the parser's recursion limit, under the size cap
    ],
)
async def test_a_malformed_sign_in_is_a_validation_error(
    client: httpx2.AsyncClient, body: bytes
) -> None:
    answer = await client.post("/auth/login", content=body)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_failed"


async def test_a_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(
    client: httpx2.AsyncClient,
) -> None:
    first = (await login(client)).json()
    second = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    replay = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    newest = await client.post(
        "/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert replay.status_code == 401
    assert replay.json()["error"]["details"]["reason"] == "refresh_reused"
    assert newest.status_code == 401  # the whole family was revoked


async def test_a_refresh_token_is_not_an_access_token(client: httpx2.AsyncClient) -> None:
    tokens = (await login(client)).json()

    answer = await client.get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )

    assert answer.status_code == 401


async def test_logout_ends_the_session(client: httpx2.AsyncClient) -> None:
    tokens = (await login(client)).json()

    out = await client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    after = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    assert out.status_code == 204
    assert after.status_code == 401


async def test_the_jwks_and_resource_metadata_name_the_issuer(client: httpx2.AsyncClient) -> None:
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    metadata = (await client.get("/.well-known/oauth-protected-resource")).json()

    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    assert all("d" not in key for key in keys)  # public halves only
    assert metadata["authorization_servers"] == [BASE]


async def test_a_request_from_a_foreign_host_is_refused_before_anything_runs(
    client: httpx2.AsyncClient,
) -> None:
    answer = await client.post(
        "/auth/login",
        json={"email": EMAIL, "password": PASSWORD},
        headers={"Host": "evil.example.com"},
    )
    origin = await client.get("/api/v1/projects", headers={"Origin": "http://evil.example.com"})

    assert answer.status_code == 421
    assert origin.status_code == 403


async def test_failed_sign_ins_and_missing_credentials_are_audited_as_anonymous(
    app_and_pearl: tuple[httpx2.AsyncClient, Pearl],
) -> None:
    client, pearl = app_and_pearl
    await login(client, "a wrong password here")
    await client.get("/api/v1/approvals/requests")

    admin = await authenticate_password(pearl.store.credentials, EMAIL, PASSWORD)
    events = await list_audit_events(pearl.unit_of_work(admin))
    denied = [e.details for e in events if e.action == "access.denied"]

    assert [(d["principal"], d["target"]) for d in denied] == [
        ("anonymous", "POST /auth/login"),
        ("anonymous", "GET /api/v1/approvals/requests"),
    ]
    assert "a wrong password here" not in str(events)
