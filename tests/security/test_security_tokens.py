"""Bearer tokens against the running server: forged, confused, stale, replayed or
pointing elsewhere, each refused with 401 before any route or MCP message runs,
and without PeaRL fetching anything it was not configured to fetch."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import anyio
import httpx2
import pytest
from security_calls import body_of, error_code, login, rest
from security_idp import (
    ATTACKER_KEY,
    forge,
    hs256_with_public_key,
    public_jwk,
    sign,
    token_claims,
)
from security_world import Reader, World

from pearl_core import SigningKeyRing, SystemClock, TokenIssuer, TokenKind, request_approval

pytestmark = pytest.mark.anyio

SURFACES = ("rest", "mcp")
_MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
_LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


async def probe(world: World, token: str, surface: str = "rest") -> httpx2.Response:
    """A request carrying ``token``: reading org_alpha's project, or an MCP message."""
    async with rest(world, token) as client:
        if surface == "rest":
            return await client.get(f"/api/v1/projects/{world.alpha.project_id}")
        return await client.post("/mcp", json=_LIST_TOOLS, headers=_MCP_HEADERS)


def assert_refused(response: httpx2.Response) -> None:
    assert response.status_code == 401, response.text
    assert error_code(response) == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert "Orders of alpha" not in response.text


async def test_tokens_of_the_trusted_identity_provider_are_accepted(world: World) -> None:
    idp = world.idp
    for kid in idp.a.keys:  # RS256 and ES256
        response = await probe(world, idp.token(idp.a, world.base, kid=kid))
        assert response.status_code == 200, response.text
        assert response.json()["project_id"] == world.alpha.project_id


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_an_unsigned_alg_none_token_is_refused(world: World, surface: str, alg: str) -> None:
    idp = world.idp
    before = idp.fetches()
    claims = token_claims(idp.a.url, world.base, groups=["pearl-reviewers"])
    token = forge({"alg": alg, "typ": "at+jwt", "kid": "a-rsa-1"}, claims)

    assert_refused(await probe(world, token, surface))
    assert idp.fetches() == before


@pytest.mark.parametrize("surface", SURFACES)
async def test_an_hs256_token_keyed_with_the_idp_public_key_is_refused(
    world: World, surface: str
) -> None:
    idp = world.idp
    key, _ = idp.a.keys["a-rsa-1"]
    before = idp.fetches()
    token = hs256_with_public_key(key, token_claims(idp.a.url, world.base), kid="a-rsa-1")

    assert_refused(await probe(world, token, surface))
    assert idp.fetches() == before


@pytest.mark.parametrize(
    "audience",
    [None, "https://elsewhere.example", "http://127.0.0.1:1/", ["https://elsewhere.example"]],
    ids=["missing", "other-service", "other-port", "list-without-pearl"],
)
async def test_a_token_for_another_audience_or_none_is_refused(
    world: World, audience: object
) -> None:
    idp = world.idp
    claims = token_claims(idp.a.url, world.base, aud=audience)
    key, _ = idp.a.keys["a-rsa-1"]

    assert_refused(await probe(world, sign(key, claims, kid="a-rsa-1")))


async def test_a_token_claiming_issuer_b_signed_with_issuer_a_key_is_refused(
    world: World,
) -> None:
    idp = world.idp
    key, _ = idp.a.keys["a-rsa-1"]
    claims = token_claims(idp.b.url, world.base, groups=["agents"])
    a_keys_read = idp.server.count(idp.a.jwks_path) + idp.server.count(idp.a.discovery_path)

    for kid in ("a-rsa-1", "b-rsa-1"):  # issuer A's kid, then issuer B's own kid
        assert_refused(await probe(world, sign(key, claims, kid=kid)))
    # A token naming B is checked against B's keys only: A's are never even looked up.
    assert idp.server.count(idp.a.jwks_path) + idp.server.count(idp.a.discovery_path) == (
        a_keys_read
    )


async def test_a_token_signed_by_the_idp_but_naming_pearl_as_issuer_is_refused(
    world: World,
) -> None:
    idp = world.idp
    key, _ = idp.a.keys["a-rsa-1"]
    claims = token_claims(
        world.base, world.base, sub=world.alpha.reviewer.subject_id, org_id="org_alpha"
    )
    claims |= {"token_use": "access", "kind": "human", "roles": ["reviewer"], "sid": "x"}

    assert_refused(await probe(world, sign(key, claims, kid="a-rsa-1")))


@pytest.mark.parametrize("shift_s", [-90, -3600], ids=["90s-ago", "an-hour-ago"])
async def test_an_expired_token_beyond_the_leeway_is_refused(world: World, shift_s: int) -> None:
    token = world.idp.token(world.idp.a, world.base, shift_s=shift_s - 60, lifetime_s=60)

    assert_refused(await probe(world, token))


async def test_an_expired_token_within_the_leeway_is_accepted(world: World) -> None:
    token = world.idp.token(world.idp.a, world.base, shift_s=-70, lifetime_s=60)  # 10 s ago

    assert (await probe(world, token)).status_code == 200


@pytest.mark.parametrize("claim", ["nbf", "iat"])
async def test_a_token_not_yet_valid_beyond_the_leeway_is_refused(world: World, claim: str) -> None:
    idp = world.idp
    claims = token_claims(idp.a.url, world.base)
    claims[claim] = claims["iat"] + 120
    key, _ = idp.a.keys["a-rsa-1"]

    assert_refused(await probe(world, sign(key, claims, kid="a-rsa-1")))


async def test_a_token_not_yet_valid_within_the_leeway_is_accepted(world: World) -> None:
    token = world.idp.token(world.idp.a, world.base, shift_s=10)

    assert (await probe(world, token)).status_code == 200


@pytest.mark.parametrize(
    "kid",
    ["../../etc/passwd", "' OR 1=1 --", "a-rsa-1/../../b/jwks.json", "a-rsa-1\x00", "%2e%2e%2f"],
)
async def test_a_kid_crafted_as_a_path_or_sql_is_refused_without_fetching_keys(
    world: World, kid: str
) -> None:
    idp = world.idp
    key, _ = idp.a.keys["a-rsa-1"]
    before = idp.fetches()

    assert_refused(await probe(world, sign(key, token_claims(idp.a.url, world.base), kid=kid)))
    assert idp.fetches() == before


@pytest.mark.parametrize("header", ["jku", "x5u", "jwk", "x5c"])
async def test_key_location_headers_are_never_followed(world: World, header: str) -> None:
    idp, attacker = world.idp, world.attacker
    evil = public_jwk(ATTACKER_KEY, "evil-1", "RS256")
    location = {
        "jku": attacker.publish("/jwks.json", {"keys": [evil]}),
        "x5u": attacker.base + "/cert.pem",
        "jwk": evil,
        "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
    }[header]
    claims = token_claims(idp.a.url, world.base, groups=["pearl-reviewers"])

    for kid in ("evil-1", "a-rsa-1"):
        token = sign(ATTACKER_KEY, claims, kid=kid, headers={header: location})
        assert_refused(await probe(world, token))
    assert attacker.total == 0


async def test_a_thousand_unknown_kids_cause_at_most_one_jwks_fetch(world: World) -> None:
    idp = world.idp
    key, _ = idp.a.keys["a-rsa-1"]
    assert (await probe(world, idp.token(idp.a, world.base))).status_code == 200  # keys cached
    jwks_before = idp.server.count(idp.a.jwks_path)
    discovery_before = idp.server.count(idp.a.discovery_path)
    tokens = [
        sign(key, token_claims(idp.a.url, world.base), kid=f"rotated-{secrets.token_hex(8)}")
        for _ in range(1000)
    ]
    statuses: list[int] = []

    async def send(batch: list[str], client: httpx2.AsyncClient) -> None:
        for token in batch:
            response = await client.get(
                f"/api/v1/projects/{world.alpha.project_id}",
                headers={"Authorization": f"Bearer {token}"},
            )
            statuses.append(response.status_code)

    async with rest(world) as client, anyio.create_task_group() as group:
        for start in range(0, len(tokens), 50):
            group.start_soon(send, tokens[start : start + 50], client)

    assert statuses == [401] * 1000
    assert idp.server.count(idp.a.jwks_path) - jwks_before <= 1
    assert idp.server.count(idp.a.discovery_path) == discovery_before


@pytest.mark.parametrize("typ", ["refresh+jwt", "id+jwt", "secevent+jwt", "JOSE"])
async def test_an_idp_token_of_an_unknown_kind_is_refused(world: World, typ: str) -> None:
    assert_refused(await probe(world, world.idp.token(world.idp.a, world.base, typ=typ)))


async def test_the_org_of_an_idp_token_comes_from_configuration_never_from_its_claims(
    world: World,
) -> None:
    idp = world.idp
    token = idp.token(
        idp.b, world.base, groups=["agents"], org_id="org_alpha", tenant="org_alpha"
    )  # issuer B is trusted for org_beta's service accounts

    async with rest(world, token) as client:
        own = await client.get(f"/api/v1/projects/{world.beta.project_id}")
        other = await client.get(f"/api/v1/projects/{world.alpha.project_id}")

    assert own.status_code == 200
    assert other.status_code == 404
    assert "Orders of alpha" not in other.text


async def test_a_service_account_issuer_cannot_hand_out_reviewer_groups(world: World) -> None:
    idp = world.idp
    token = idp.token(idp.b, world.base, groups=["agents", "pearl-reviewers", "reviewer"])

    async with rest(world, token) as client:
        response = await client.post(
            f"/api/v1/approvals/{world.beta.agent_approval_id}/decide",
            json={"decision": "approve"},
        )

    assert response.status_code == 403
    assert error_code(response) == "human_required"


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_pearl_refresh_token_is_not_an_access_token(world: World, surface: str) -> None:
    tokens = await login(world, world.alpha.reviewer)

    assert_refused(await probe(world, tokens["refresh_token"], surface))


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_pearl_id_token_is_not_an_access_token(world: World, surface: str) -> None:
    ring = SigningKeyRing.load_or_create(
        world.data_dir / "token-keys",
        clock=SystemClock(),
        rotate_after=timedelta(days=30),
        retain=timedelta(days=31),
    )
    issuer = TokenIssuer(ring, issuer=world.base, audience=world.base, clock=SystemClock())
    reviewer = world.alpha.reviewer
    claims = {"kind": "human", "roles": ["reviewer"], "name": "reviewer", "sid": "s"}

    def minted(kind: TokenKind) -> str:
        return issuer.mint(
            subject=reviewer.subject_id,
            org_id="org_alpha",
            kind=kind,
            ttl=timedelta(minutes=5),
            claims=claims,
        )

    # The server's own key signs both; only the kind differs.
    assert (await probe(world, minted(TokenKind.ACCESS))).status_code == 200
    assert_refused(await probe(world, minted(TokenKind.ID), surface))


async def test_a_replayed_refresh_token_ends_the_whole_session(
    world: World, reader: Reader
) -> None:
    reviewer = world.alpha.reviewer
    first = await login(world, reviewer)
    marks = await reader.heads()

    async with rest(world) as client:
        rotated = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        replayed = await client.post(
            "/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        newest = await client.post(
            "/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
        )

    assert rotated.status_code == 200
    assert (replayed.status_code, error_code(replayed)) == (401, "unauthenticated")
    assert replayed.json()["error"]["details"]["reason"] == "refresh_reused"
    assert (newest.status_code, error_code(newest)) == (401, "unauthenticated")
    events = await reader.audit_since(marks)
    reuse = [e for e in events if e.action == "session.refresh_reuse_detected"]
    assert reuse
    assert {e.actor_id for e in reuse} == {reviewer.subject_id}
    assert "refresh_token" not in str(body_of(replayed))


@pytest.mark.parametrize("route", ["/auth/refresh", "/auth/logout"])
async def test_an_access_token_is_not_a_refresh_token(world: World, route: str) -> None:
    tokens = await login(world, world.alpha.reviewer)
    async with rest(world) as client:
        response = await client.post(route, json={"refresh_token": tokens["access_token"]})

    assert response.status_code == 401
    assert "access_token" not in response.text


async def test_one_human_with_a_password_and_an_sso_identity_cannot_approve_their_own_request(
    world: World, reader: Reader
) -> None:
    """revop asks (signed in with a password); the same person, through the trusted IdP
    (same email, reviewer group), decides. Four eyes means two people, not two logins."""
    alpha, pearl = world.alpha, reader.pearl
    filed = await request_approval(
        pearl.unit_of_work(alpha.revop.principal),
        pearl.policy_engine(),
        alpha.revop_packet_id,
        {"type": "git_commit", "command": "git commit -m 'mine, approved by me'"},
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=timedelta(hours=1),
    )
    sso = world.idp.token(
        world.idp.a,
        world.base,
        sub="revop",
        email=alpha.revop.email,
        email_verified=True,
        name="revop",
        groups=["pearl-reviewers"],
        auth_time=int(time.time()),  # a fresh SSO sign-in: deciding is not refused for age
    )
    async with rest(world, sso) as client:
        response = await client.post(
            f"/api/v1/approvals/{filed.approval_request_id}/decide",
            json={"decision": "approve"},
        )

    assert response.status_code == 403, response.text
    assert error_code(response) == "requester_cannot_decide"
    assert await reader.approval_status("org_alpha", filed.approval_request_id) == "pending"


async def test_an_sso_person_who_is_not_a_pearl_user_is_refused(world: World) -> None:
    idp = world.idp
    stranger = idp.token(idp.a, world.base, email="stranger@alpha.test")
    nobody = idp.token(idp.a, world.base, email=None)

    assert_refused(await probe(world, stranger))
    assert_refused(await probe(world, nobody))


async def test_an_sso_token_without_a_recent_sign_in_cannot_decide(
    world: World, reader: Reader
) -> None:
    """A reviewer's SSO token is replayable: without a fresh ``auth_time`` it reads,
    but it cannot decide."""
    alpha, pearl = world.alpha, reader.pearl
    filed = await request_approval(
        pearl.unit_of_work(alpha.agent.principal),
        pearl.policy_engine(),
        alpha.agent_packet_id,
        {"type": "git_commit", "command": "git commit -m 'stale reviewer token'"},
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=timedelta(hours=1),
    )
    stale = world.idp.token(
        world.idp.a,
        world.base,
        email=alpha.reviewer.email,
        groups=["pearl-reviewers"],
        auth_time=int(time.time()) - 3600,
    )
    async with rest(world, stale) as client:
        response = await client.post(
            f"/api/v1/approvals/{filed.approval_request_id}/decide",
            json={"decision": "approve"},
        )

    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"]["reason"] == "fresh_sign_in_required"
    assert await reader.approval_status("org_alpha", filed.approval_request_id) == "pending"
