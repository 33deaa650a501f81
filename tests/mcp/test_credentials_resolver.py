"""API keys as the server's credential: ``CredentialResolver`` over a real SQLite store,
and behind the same authentication middleware the HTTP server uses."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from pearl_core import (
    ConfigurationError,
    Org,
    Permission,
    RegorusEngine,
    Role,
    Settings,
    bootstrap,
    create_api_key,
    create_service_account,
)
from pearl_core.testing import FakeClock, make_principal
from pearl_mcp.credentials import CredentialResolver
from pearl_mcp.http_auth import auth_middleware, require_auth
from pearl_mcp.identity import current_principal
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

ORG = "org_keys"
PEPPER = "fake-resolver-pepper-not-a-secret-0123"
OWNER = make_principal(org_id=ORG, subject_id="usr_owner", roles={Role.OPERATOR})


def settings(tmp_path: Path, sqlite_template: Path, **extra: str) -> Settings:
    database = tmp_path / "pearl.db"
    if not database.exists():
        shutil.copyfile(sqlite_template, database)
    return Settings.from_env(
        {
            "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PEARL_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
            "PEARL_ORG_ID": ORG,
            "PEARL_LOG_LEVEL": "error",
            **extra,
        }
    )


@pytest.fixture
async def runtime(
    tmp_path: Path, sqlite_template: Path, policy_engine: RegorusEngine, clock: FakeClock
) -> AsyncIterator[Runtime]:
    pearl = bootstrap(
        settings(tmp_path, sqlite_template, PEARL_API_KEY_PEPPER=PEPPER),
        clock=clock,
        configure_logs=False,
    )
    async with pearl.unit_of_work(OWNER) as uow:
        await uow.orgs.add(Org(org_id=ORG, name="Keys", created_at=clock.now()))
        await uow.audit.record("org.created", resource_type="org", resource_id=ORG)
        await uow.commit()
    yield Runtime(pearl, policy_engine)
    await pearl.aclose()


async def mint(runtime: Runtime, *scopes: Permission) -> str:
    pearl = runtime.pearl
    account = await create_service_account(pearl.unit_of_work(OWNER), "ci-bot", clock=pearl.clock)
    _, shown = await create_api_key(
        pearl.unit_of_work(OWNER),
        account.service_account_id,
        name="ci",
        scopes=list(scopes),
        expires_in=timedelta(days=1),
        pepper=PEPPER.encode(),
        clock=pearl.clock,
    )
    return shown


async def test_a_resolver_without_a_pepper_refuses_to_start(
    tmp_path: Path, sqlite_template: Path, policy_engine: RegorusEngine
) -> None:
    pearl = bootstrap(settings(tmp_path, sqlite_template), configure_logs=False)
    try:
        with pytest.raises(ConfigurationError):
            CredentialResolver(Runtime(pearl, policy_engine))
    finally:
        await pearl.aclose()


async def test_a_minted_key_resolves_to_its_agent_and_anything_else_to_nobody(
    runtime: Runtime,
) -> None:
    shown = await mint(runtime, Permission.PACKETS_READ)
    resolver = CredentialResolver(runtime)

    principal = await resolver.resolve(shown)

    assert principal is not None
    assert (principal.org_id, principal.owner_user_id) == (ORG, OWNER.subject_id)
    assert principal.scopes == frozenset({Permission.PACKETS_READ})
    tampered = shown[:-1] + ("b" if shown.endswith("a") else "a")  # always a different secret
    assert await resolver.resolve(tampered) is None
    assert await resolver.resolve("not-a-key") is None


async def test_the_auth_middleware_lets_only_a_valid_key_through(runtime: Runtime) -> None:
    shown = await mint(runtime)

    async def who(_: Request) -> Response:
        return JSONResponse({"subject": current_principal().subject_id})

    inner = Starlette(routes=[Route("/who", who)])
    app = Starlette(
        routes=[Mount("/", app=require_auth(inner))],
        middleware=auth_middleware(CredentialResolver(runtime)),
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        good = await client.get("/who", headers={"Authorization": f"Bearer {shown}"})
        bad = await client.get("/who", headers={"Authorization": f"Bearer {shown}x"})
        none = await client.get("/who")

    assert good.status_code == 200
    assert good.json()["subject"].startswith("sa_")
    assert (bad.status_code, none.status_code) == (401, 401)
