"""The REST app over a real, migrated, seeded database, and the contract to check it against.

``client`` speaks to :func:`pearl_mcp.rest.build_rest_app` in memory (httpx2's
ASGI transport) with the bearer-token middleware of :mod:`pearl_mcp.http_auth`
in front: send ``headers=AS["agent"]`` (see ``rest_world``) to act as that
principal. The runtime uses a fake clock, so the contract examples' 2026 timestamps lie in
the future.

``contract(schema, payload)`` lists the errors of ``payload`` against a
schema of ``../shared/pearl-spec/schemas`` (``"project/project"``); it skips
the test when the contract is absent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from rest_world import ORG, TOKENS, Contract

from pearl_core import (
    RegorusEngine,
    Settings,
    bootstrap,
    default_rego_dir,
    load_bundle,
    read_default_policies,
    seed_defaults,
)
from pearl_core.testing import FakeClock
from pearl_mcp.rest import PearlRestApp, build_rest_app
from pearl_mcp.runtime import Runtime


@pytest.fixture(scope="session")
def policy_engine() -> Iterator[RegorusEngine]:
    engine = RegorusEngine(load_bundle(default_rego_dir(), Settings.from_env({}).policies_dir))
    yield engine
    del engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def runtime(
    database_url: str, tmp_path: Path, clock: FakeClock, policy_engine: RegorusEngine
) -> AsyncIterator[Runtime]:
    settings = Settings.from_env(
        {
            "PEARL_DATABASE_URL": database_url,
            "PEARL_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.pem"),
            "PEARL_LOG_LEVEL": "error",
            "PEARL_ORG_ID": ORG,
        }
    )
    pearl = bootstrap(settings, clock=clock, configure_logs=False)
    runtime = Runtime(pearl, policy_engine)
    try:
        await seed_defaults(
            runtime.uow(pearl.system_principal()),
            read_default_policies(settings.policies_dir),
            org_name="REST test org",
            clock=clock,
        )
        yield runtime
    finally:
        await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx2.AsyncClient]:
    app = build_rest_app(runtime, resolver=TOKENS)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://pearl.test") as http:
        yield http


@pytest.fixture
def rest_app(tmp_path: Path, policy_engine: RegorusEngine) -> PearlRestApp:
    """The app over a database it never opens: for tests of its routes and description."""
    settings = Settings.from_env(
        {"PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"}
    )
    runtime = Runtime(bootstrap(settings, configure_logs=False), policy_engine)
    return build_rest_app(runtime, resolver=TOKENS)


@pytest.fixture
def contract(spec_dir: Path) -> Contract:
    resources = []
    for path in sorted((spec_dir / "schemas").rglob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)

    def errors(schema: str | dict[str, Any], payload: Any) -> list[str]:
        if isinstance(schema, str):
            path = spec_dir / "schemas" / f"{schema}.schema.json"
            schema = json.loads(path.read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema, registry=registry)
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(payload)]

    return errors


@pytest.fixture
def example(spec_dir: Path) -> Callable[[str], Any]:
    """A contract example by its path under ``examples/``, parsed."""

    def load(name: str) -> Any:
        return json.loads((spec_dir / "examples" / name).read_text(encoding="utf-8"))

    return load
