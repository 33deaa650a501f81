"""Signing in at ``/auth/*``: what an unauthenticated caller can make of the three open
routes — malformed bodies, enumeration, credentials in the wrong place, another
tenant's users."""

from __future__ import annotations

import jwt
import pytest
from security_calls import body_of, normalised, rest
from security_world import PASSWORD, Reader, World

from pearl_core import Role, create_user

pytestmark = pytest.mark.anyio

ROUTES = ("/auth/login", "/auth/refresh", "/auth/logout")
MALFORMED = {
    "nested arrays": "[" * 10_000,
    "nested objects": '{"a":' * 3_000,
    "not utf-8": b"\xff\xfe\xfd",
    "a list": "[]",
    "a string": '"refresh_token"',
    "empty": "",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("route", ROUTES)
async def test_a_malformed_sign_in_body_is_refused_as_a_client_error(
    world: World, route: str, body: str | bytes
) -> None:
    async with rest(world) as client:
        response = await client.post(
            route, content=body, headers={"Content-Type": "application/json"}
        )
    async with rest(world) as client:
        alive = await client.get("/healthz")

    assert response.status_code == 400, response.text
    assert body_of(response)["error"]["code"] == "validation_failed"
    assert alive.status_code == 200


async def test_an_unknown_email_and_a_wrong_password_are_refused_alike(world: World) -> None:
    async with rest(world) as client:
        unknown = await client.post(
            "/auth/login", json={"email": "nobody@alpha.test", "password": PASSWORD}
        )
        wrong = await client.post(
            "/auth/login", json={"email": world.alpha.victim.email, "password": PASSWORD + "!"}
        )
        other_org = await client.post(
            "/auth/login",
            json={
                "email": world.alpha.victim.email,
                "password": PASSWORD,
                "org_id": "org_beta",
            },
        )

    assert {unknown.status_code, wrong.status_code, other_org.status_code} == {401}
    assert normalised(unknown.json()) == normalised(wrong.json()) == normalised(other_org.json())


@pytest.mark.parametrize("where", ["query", "form"])
async def test_credentials_outside_a_json_body_are_not_accepted(world: World, where: str) -> None:
    person = world.alpha.reviewer
    credentials = {"email": person.email, "password": person.password}
    async with rest(world) as client:
        if where == "query":
            response = await client.post("/auth/login", params=credentials)
        else:
            response = await client.post("/auth/login", data=credentials)
        fetched = await client.get("/auth/login", params=credentials)

    assert response.status_code == 400
    assert "access_token" not in response.text
    assert fetched.status_code in {401, 405}


async def test_another_org_cannot_lock_a_user_out_by_taking_their_email(
    world: World, reader: Reader
) -> None:
    """org_beta's admin creates a user with an email of org_alpha: alpha's user still
    signs in as before (they did not have to name their org, and they still do not)."""
    alpha, beta, pearl = world.alpha, world.beta, reader.pearl
    email = "twin@alpha.test"
    await create_user(
        pearl.unit_of_work(alpha.admin.principal),
        email,
        "twin",
        [Role.VIEWER],
        PASSWORD,
        clock=pearl.clock,
    )
    async with rest(world) as client:
        before = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    await create_user(
        pearl.unit_of_work(beta.admin.principal),
        email,
        "squatter",
        [Role.ADMIN],
        "a password the squatter knows",
        clock=pearl.clock,
    )

    async with rest(world) as client:
        after = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        squatter = await client.post(
            "/auth/login", json={"email": email, "password": "a password the squatter knows"}
        )

    assert before.status_code == 200
    assert after.status_code == 200, after.text
    assert (
        jwt.decode(after.json()["access_token"], options={"verify_signature": False})["org_id"]
        == "org_alpha"
    )
    if squatter.status_code == 200:  # the squatter signs in to org_beta, and only there
        claims = jwt.decode(squatter.json()["access_token"], options={"verify_signature": False})
        assert claims["org_id"] == "org_beta"
