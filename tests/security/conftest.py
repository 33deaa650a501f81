"""Fixtures of the security suite: one seeded database, one ``pearl serve`` subprocess and
one fake identity provider for the whole session (see ``security_world``).

``world``
    The running server (its base URL, captured logs), what seeding made in
    ``org_alpha`` and ``org_beta``, the identity provider and the attacker's
    key server. Started once; tests must leave it usable for the next one.
``signed_in``
    ``signed_in(person)``: an access token of a seeded person (``/auth/login``).
``reader``
    The same database read through PeaRL's services (audit log, findings,
    approvals, exceptions, decision log), as each org's admin.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from security_calls import SignedIn
from security_idp import IdentityProvider, KeyServer
from security_world import (
    Reader,
    World,
    free_port,
    reading,
    seed,
    settings_env,
    start_server,
)


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    with KeyServer().running() as server:
        yield IdentityProvider(server)


@pytest.fixture(scope="session")
def attacker() -> Iterator[KeyServer]:
    """A key server the attacker controls; PeaRL must never ask it anything."""
    with KeyServer().running() as server:
        yield server


@pytest.fixture(scope="session")
def world(
    tmp_path_factory: pytest.TempPathFactory, idp: IdentityProvider, attacker: KeyServer
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("security")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = settings_env(
        database_url=f"sqlite+aiosqlite:///{root / 'pearl.db'}",
        data_dir=root / "data",
        pepper=secrets.token_urlsafe(48),
        public_url=base,
        issuers=idp.trusted_issuers(),
    )
    orgs = anyio.run(seed, env)
    server = start_server(env, port, root)
    try:
        yield World(
            base=base,
            env=env,
            alpha=orgs["org_alpha"],
            beta=orgs["org_beta"],
            server=server,
            idp=idp,
            attacker=attacker,
            data_dir=root / "data",
        )
    finally:
        server.stop()


@pytest.fixture
async def reader(world: World) -> AsyncIterator[Reader]:
    async with reading(world.env, world.orgs) as store:
        yield store


@pytest.fixture(scope="session")
def signed_in(world: World) -> SignedIn:
    return SignedIn(world)
