"""Identity escalation: keys with more scope than their account may use, keys minted for
someone else's account, roles granted to oneself, agents creating users or keys, and a
server restarted with a configuration that would make an agent a reviewer.

No REST route or MCP tool manages keys, users or roles, so over the wire these are
probes that must find nothing; the rules themselves live in the services every
surface (the CLI included) calls, and are exercised here on the served database.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Awaitable
from datetime import timedelta

import pytest
from pydantic import ValidationError
from security_calls import MODES, SignedIn, mcp, rest, tool_error
from security_world import PEARL, Reader, World, free_port

from pearl_core import (
    Forbidden,
    NotFound,
    Permission,
    Principal,
    PrincipalKind,
    Role,
    ServiceAccount,
    ValidationFailed,
    create_api_key,
    create_service_account,
    create_user,
    parse_json,
    revoke_api_key,
    set_user_roles,
)

pytestmark = pytest.mark.anyio


async def refused_with(code: str, call: Awaitable[object]) -> None:
    with pytest.raises(Forbidden) as refused:
        await call
    assert refused.value.code == code


ACCOUNT_PATHS = [
    ("POST", "/api/v1/service-accounts", {"name": "evil-bot"}),
    ("POST", "/api/v1/service-accounts/{sa}/keys", {"scopes": ["approvals:decide"]}),
    ("POST", "/api/v1/api-keys", {"service_account_id": "{sa}", "scopes": []}),
    ("POST", "/api/v1/keys", {"service_account_id": "{sa}"}),
    ("POST", "/api/v1/users", {"email": "evil@x.test", "roles": ["admin"]}),
    ("PUT", "/api/v1/users/{sa}/roles", {"roles": ["reviewer"]}),
    ("PATCH", "/api/v1/service-accounts/{sa}", {"roles": ["reviewer"]}),
    ("POST", "/api/v1/admin/roles", {"subject_id": "{sa}", "roles": ["reviewer"]}),
]


@pytest.mark.parametrize("who", ["agent", "operator"])
async def test_no_route_manages_keys_users_or_roles(
    world: World, signed_in: SignedIn, who: str
) -> None:
    alpha = world.alpha
    token = alpha.agent.key if who == "agent" else signed_in(alpha.operator)
    async with rest(world, token) as client:
        paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
        answers = [
            await client.request(
                method,
                path.replace("{sa}", alpha.agent.subject_id),
                json=json.loads(json.dumps(body).replace("{sa}", alpha.agent.subject_id)),
            )
            for method, path, body in ACCOUNT_PATHS
        ]

    words = ("key", "user", "service-account", "service_account", "role", "admin", "team")
    assert not [path for path in paths if any(word in path.lower() for word in words)]
    for response in answers:
        assert response.status_code in {404, 405}, response.text


@pytest.mark.parametrize("mode", MODES)
async def test_no_mcp_tool_manages_keys_users_or_roles(world: World, mode: str) -> None:
    async with mcp(world, world.alpha.agent.key, mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        answer = await client.call_tool(
            "pearl_create_api_key",
            {"service_account_id": world.alpha.agent.subject_id, "scopes": ["approvals:decide"]},
        )

    assert not [name for name in listed if any(w in name for w in ("key", "user", "role"))]
    assert tool_error(answer)[0] in {"forbidden", "not_found"}


async def test_an_agent_cannot_mint_keys_create_accounts_or_users_or_grant_roles(
    world: World, reader: Reader
) -> None:
    pearl, alpha = reader.pearl, world.alpha
    agent = alpha.agent.principal
    pepper = pearl.settings.api_key_pepper
    assert pepper is not None

    await refused_with(
        "human_required",
        create_api_key(
            pearl.unit_of_work(agent),
            agent.subject_id,
            name="self",
            scopes=[],
            expires_in=timedelta(days=1),
            pepper=pepper,
            clock=pearl.clock,
        ),
    )
    await refused_with(
        "human_required",
        revoke_api_key(
            pearl.unit_of_work(agent), alpha.scoped_key.split("_")[1], clock=pearl.clock
        ),
    )
    await refused_with(
        "human_required",
        create_service_account(pearl.unit_of_work(agent), "minion", clock=pearl.clock),
    )
    await refused_with(
        "human_required",
        create_user(
            pearl.unit_of_work(agent), "new@alpha.test", "new", [Role.REVIEWER], clock=pearl.clock
        ),
    )
    await refused_with(
        "human_required",
        set_user_roles(
            pearl.unit_of_work(agent), alpha.operator.subject_id, [Role.REVIEWER, Role.OPERATOR]
        ),
    )


@pytest.mark.parametrize(
    "scope",
    [
        Permission.APPROVALS_DECIDE,
        Permission.POLICY_WRITE,
        Permission.USERS_MANAGE,
        Permission.SERVICE_ACCOUNTS_MANAGE,
        Permission.FINDINGS_INGEST,
        Permission.ORG_ADMIN,
    ],
)
async def test_a_key_is_never_minted_with_more_than_its_account_may_use(
    world: World, reader: Reader, scope: Permission
) -> None:
    pearl, alpha = reader.pearl, world.alpha
    pepper = pearl.settings.api_key_pepper
    assert pepper is not None

    for minter in (alpha.operator.principal, alpha.admin.principal):
        await refused_with(
            "forbidden",
            create_api_key(
                pearl.unit_of_work(minter),
                alpha.agent.subject_id,
                name="wide",
                scopes=[Permission.PACKETS_WORK, scope],
                expires_in=timedelta(days=1),
                pepper=pepper,
                clock=pearl.clock,
            ),
        )


async def test_only_the_owner_or_an_admin_mints_keys_for_an_account(
    world: World, reader: Reader
) -> None:
    pearl, alpha, beta = reader.pearl, world.alpha, world.beta
    pepper = pearl.settings.api_key_pepper
    assert pepper is not None

    async def mint(minter: Principal, account_id: str) -> None:
        await create_api_key(
            pearl.unit_of_work(minter),
            account_id,
            name="not-mine",
            scopes=[],
            expires_in=timedelta(days=1),
            pepper=pepper,
            clock=pearl.clock,
        )

    # revop-bot belongs to revop, not to the operator
    await refused_with("forbidden", mint(alpha.operator.principal, alpha.revop_bot.subject_id))
    # a reviewer manages no service accounts at all
    await refused_with("forbidden", mint(alpha.reviewer.principal, alpha.agent.subject_id))
    with pytest.raises(NotFound) as missing:  # another org's account does not exist for beta
        await mint(beta.admin.principal, alpha.agent.subject_id)
    assert missing.value.code == "not_found"


async def test_nobody_grants_themselves_a_role(world: World, reader: Reader) -> None:
    pearl, alpha = reader.pearl, world.alpha

    await refused_with(
        "forbidden",
        set_user_roles(
            pearl.unit_of_work(alpha.admin.principal),
            alpha.admin.subject_id,
            [Role.ADMIN, Role.REVIEWER],
        ),
    )
    for person in (alpha.operator, alpha.revop, alpha.reviewer):
        await refused_with(
            "forbidden",
            set_user_roles(pearl.unit_of_work(person.principal), person.subject_id, [Role.ADMIN]),
        )
    # nor does an operator make an agent's owner an admin
    await refused_with(
        "forbidden",
        set_user_roles(
            pearl.unit_of_work(alpha.operator.principal), alpha.revop.subject_id, [Role.ADMIN]
        ),
    )


def test_a_service_account_can_never_hold_reviewer_or_admin(world: World) -> None:
    alpha = world.alpha
    for role in (Role.REVIEWER, Role.ADMIN):
        account = {
            "service_account_id": alpha.agent.subject_id,
            "org_id": "org_alpha",
            "name": "fixer-bot",
            "roles": [Role.SERVICE_ACCOUNT.value, role.value],
            "created_at": "2026-01-01T00:00:00Z",
        }
        with pytest.raises(ValidationFailed) as refused:
            parse_json(ServiceAccount, json.dumps(account))
        assert refused.value.code == "validation_failed"
        with pytest.raises(ValidationError):
            Principal(
                org_id="org_alpha",
                subject_id=alpha.agent.subject_id,
                kind=PrincipalKind.SERVICE_ACCOUNT,
                roles=frozenset({Role.SERVICE_ACCOUNT, role}),
            )


_SA_ISSUER = {"issuer": "https://ci.example.com", "org_id": "org_alpha", "kind": "service_account"}
_HUMAN_ISSUER = {"issuer": "https://idp.example.com", "org_id": "org_alpha", "kind": "human"}
LOOSENED = {
    "agent issuer maps to reviewer": {
        "PEARL_OIDC_ISSUERS": json.dumps([{**_SA_ISSUER, "role_map": {"bots": ["reviewer"]}}])
    },
    "agent issuer maps to admin": {
        "PEARL_OIDC_ISSUERS": json.dumps([{**_SA_ISSUER, "role_map": {"bots": ["admin"]}}])
    },
    "human issuer maps to service_account": {
        "PEARL_OIDC_ISSUERS": json.dumps(
            [{**_HUMAN_ISSUER, "role_map": {"x": ["service_account"]}}]
        )
    },
    "issuer with an unknown key": {
        "PEARL_OIDC_ISSUERS": json.dumps(
            [{**_HUMAN_ISSUER, "role_map": {"x": ["reviewer"]}, "trust_all_tokens": True}]
        )
    },
    "issuer over plain http to a remote host": {
        "PEARL_OIDC_ISSUERS": json.dumps(
            [{**_HUMAN_ISSUER, "issuer": "http://idp.example.com", "role_map": {}}]
        )
    },
    "pearl trusting its own url": {
        "PEARL_OIDC_ISSUERS": json.dumps(
            [{**_HUMAN_ISSUER, "issuer": "{public}", "role_map": {"x": ["reviewer"]}}]
        )
    },
    "hmac algorithms": {"PEARL_JWT_ALGORITHMS": "RS256,HS256"},
    "no algorithm": {"PEARL_JWT_ALGORITHMS": "none"},
    "a day of leeway": {"PEARL_JWT_LEEWAY_SECONDS": "86400"},
    "a short api key pepper": {"PEARL_API_KEY_PEPPER": "short"},
}


@pytest.mark.parametrize("change", LOOSENED.values(), ids=LOOSENED.keys())
def test_a_server_restarted_with_a_loosened_configuration_refuses_to_start(
    world: World, change: dict[str, str]
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    overrides = {k: v.replace("{public}", public) for k, v in change.items()}
    env = {**world.env, "PEARL_PUBLIC_URL": public, **overrides}
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEARL_")} | env
    done = subprocess.run(  # noqa: S603 - fixed argv of the venv's own pearl
        [PEARL, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert "[configuration_error]" in done.stderr
    assert "PeaRL serving" not in done.stderr
