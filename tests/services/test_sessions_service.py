"""Sessions through the service layer, on every store: login, refresh-token rotation,
reuse detection (the whole family dies), logout, and what access tokens say."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import pytest
from account_helpers import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ORG,
    USER_PASSWORD,
    Store,
    add_user,
    as_principal,
    audit_events,
    audit_text,
    bootstrap,
)

from pearl_core.auth.issuer import SigningKeyRing, TokenIssuer, TokenKind
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal
from pearl_core.errors import PearlError
from pearl_core.services.accounts import authenticate_password, disable_user, set_user_roles
from pearl_core.services.sessions import (
    SessionTokens,
    principal_from_access_token,
    refresh_session,
    revoke_session,
    start_session,
)
from pearl_core.testing import FakeClock, make_agent

pytestmark = pytest.mark.anyio

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=7)


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


@pytest.fixture
def issuer(clock: FakeClock) -> TokenIssuer:
    return TokenIssuer(
        SigningKeyRing.generate(clock=clock),
        issuer="https://pearl.test",
        audience="pearl",
        clock=clock,
    )


@pytest.fixture
async def admin(store: Store, clock: FakeClock) -> Principal:
    return as_principal(await bootstrap(store, clock))


async def fails(work: Any, code: str, **details: Any) -> PearlError:
    with pytest.raises(PearlError) as caught:
        await work
    assert caught.value.code == code
    for name, value in details.items():
        assert caught.value.details[name] == value
    return caught.value


async def sign_in(
    store: Store, issuer: TokenIssuer, clock: FakeClock, email: str, password: str
) -> SessionTokens:
    principal = await authenticate_password(store.credentials, email, password)
    return await start_session(
        store, issuer, principal, access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, clock=clock
    )


async def refresh(
    store: Store, issuer: TokenIssuer, clock: FakeClock, tokens: SessionTokens
) -> SessionTokens:
    return await refresh_session(
        store,
        issuer,
        tokens.refresh_token,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        clock=clock,
    )


def acting(issuer: TokenIssuer, tokens: SessionTokens) -> Principal:
    return principal_from_access_token(issuer.verify(tokens.access_token, kind=TokenKind.ACCESS))


async def test_signing_in_starts_a_session_whose_access_token_is_the_user(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)

    principal = acting(issuer, tokens)
    assert (principal.subject_id, principal.org_id) == (admin.subject_id, ORG)
    assert (principal.kind, principal.roles) == (PrincipalKind.HUMAN, frozenset({Role.ADMIN}))
    assert (tokens.token_type, tokens.expires_in) == ("Bearer", 900)
    claims = issuer.verify(tokens.access_token, kind=TokenKind.ACCESS).claims
    assert (claims["org_id"], claims["roles"], claims["kind"]) == (ORG, ["admin"], "human")
    assert tokens.access_token not in repr(tokens)
    assert (await audit_events(store))[-1].action == "session.started"


async def test_a_refresh_rotates_the_pair_within_the_session(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    first = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    clock.advance(60)

    second = await refresh(store, issuer, clock, first)

    assert second.refresh_token != first.refresh_token
    assert acting(issuer, second).subject_id == admin.subject_id
    old = issuer.verify(first.refresh_token, kind=TokenKind.REFRESH)
    new = issuer.verify(second.refresh_token, kind=TokenKind.REFRESH)
    assert old.claims["sid"] == new.claims["sid"]
    async with store.unit_of_work(admin) as uow:
        assert old.jti is not None
        used = await uow.refresh_tokens.find(old.jti)
    assert used is not None
    assert (used.used_at, used.replaced_by) == (clock.now(), new.jti)
    third = await refresh(store, issuer, clock, second)
    assert acting(issuer, third).subject_id == admin.subject_id


async def test_a_replayed_refresh_token_ends_the_whole_session_newest_token_too(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    stolen = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    legitimate = await refresh(store, issuer, clock, stolen)
    newest = await refresh(store, issuer, clock, legitimate)

    await fails(refresh(store, issuer, clock, stolen), "unauthenticated", reason="refresh_reused")

    await fails(refresh(store, issuer, clock, newest), "unauthenticated", reason="refresh_reused")
    detected = [
        event
        for event in await audit_events(store)
        if event.action == "session.refresh_reuse_detected"
    ]
    assert [event.details["tokens_revoked"] for event in detected] == [3, 0]
    assert {event.outcome.value for event in detected} == {"denied"}


async def test_of_two_concurrent_refreshes_with_one_token_exactly_one_wins(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    won: list[SessionTokens] = []
    refused: list[PearlError] = []

    async def attempt() -> None:
        try:
            won.append(await refresh(store, issuer, clock, tokens))
        except PearlError as error:
            refused.append(error)

    with anyio.fail_after(20):
        async with anyio.create_task_group() as group:
            group.start_soon(attempt)
            group.start_soon(attempt)

    assert len(won) == 1
    assert [(error.code, error.details["reason"]) for error in refused] == [
        ("unauthenticated", "refresh_reused")
    ]
    # The race looks exactly like a replay: the winner's new refresh token is revoked too.
    await fails(refresh(store, issuer, clock, won[0]), "unauthenticated", reason="refresh_reused")


async def test_a_demoted_user_gets_the_reduced_roles_at_the_next_refresh(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR, Role.REVIEWER})
    tokens = await sign_in(store, issuer, clock, "dev@example.com", USER_PASSWORD)
    user = acting(issuer, tokens)

    await set_user_roles(store.unit_of_work(admin), user.subject_id, [Role.VIEWER])
    refreshed = await refresh(store, issuer, clock, tokens)

    assert acting(issuer, refreshed).roles == frozenset({Role.VIEWER})


async def test_a_disabled_user_cannot_refresh(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR})
    tokens = await sign_in(store, issuer, clock, "dev@example.com", USER_PASSWORD)

    await disable_user(store.unit_of_work(admin), acting(issuer, tokens).subject_id, clock=clock)

    await fails(refresh(store, issuer, clock, tokens), "unauthenticated")


async def test_logging_out_ends_the_session(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await refresh(
        store, issuer, clock, await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    )

    await revoke_session(store, issuer, tokens.refresh_token, clock=clock)
    await revoke_session(store, issuer, tokens.refresh_token, clock=clock)

    await fails(refresh(store, issuer, clock, tokens), "unauthenticated", reason="refresh_reused")
    assert [e.action for e in await audit_events(store)].count("session.revoked") == 1


async def test_an_expired_refresh_token_is_refused(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    clock.advance(REFRESH_TTL + timedelta(minutes=5))

    await fails(refresh(store, issuer, clock, tokens), "unauthenticated", reason="expired")


async def test_only_a_refresh_token_of_this_issuer_refreshes(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    stranger = TokenIssuer(
        SigningKeyRing.generate(clock=clock),
        issuer="https://pearl.test",
        audience="pearl",
        clock=clock,
    )
    forged = stranger.mint(
        subject=admin.subject_id,
        org_id=ORG,
        kind=TokenKind.REFRESH,
        ttl=REFRESH_TTL,
        claims={"sid": "x" * 32},
        jti="y" * 32,
    )
    unknown = issuer.mint(
        subject=admin.subject_id,
        org_id=ORG,
        kind=TokenKind.REFRESH,
        ttl=REFRESH_TTL,
        claims={"sid": "x" * 32},
        jti="y" * 32,
    )
    access_as_refresh = SessionTokens(tokens.access_token, tokens.access_token, 0)

    await fails(refresh(store, issuer, clock, access_as_refresh), "unauthenticated")
    for token in (forged, "garbage", unknown):
        await fails(refresh(store, issuer, clock, SessionTokens("", token, 0)), "unauthenticated")
    await fails(
        refresh(store, issuer, clock, SessionTokens("", unknown, 0)),
        "unauthenticated",
        reason="invalid_refresh",
    )


async def test_a_refresh_token_is_no_access_token(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    tokens = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)

    with pytest.raises(PearlError) as caught:
        issuer.verify(tokens.refresh_token, kind=TokenKind.ACCESS)
    assert caught.value.code == "unauthenticated"
    with pytest.raises(PearlError) as wrong_kind:
        principal_from_access_token(issuer.verify(tokens.refresh_token, kind=TokenKind.REFRESH))
    assert wrong_kind.value.details["reason"] == "wrong_token_kind"


@pytest.mark.parametrize(
    ("claims", "subject"),
    [
        ({}, "usr_1"),
        ({"kind": "service_account", "roles": ["operator"]}, "usr_1"),
        ({"kind": "human", "roles": ["root"]}, "usr_1"),
        ({"kind": "human", "roles": "admin"}, "usr_1"),
        ({"kind": "human", "roles": ["admin"]}, "sa_1"),
    ],
)
def test_access_tokens_without_pearl_s_claims_are_refused(
    issuer: TokenIssuer, claims: dict[str, Any], subject: str
) -> None:
    token = issuer.mint(
        subject=subject, org_id=ORG, kind=TokenKind.ACCESS, ttl=ACCESS_TTL, claims=claims
    )

    with pytest.raises(PearlError) as caught:
        principal_from_access_token(issuer.verify(token, kind=TokenKind.ACCESS))

    assert (caught.value.code, caught.value.details["reason"]) == ("unauthenticated", "bad_claims")


async def test_sessions_are_for_human_users_only(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    for principal in (make_agent(org_id=ORG), Principal.system(ORG)):
        await fails(
            start_session(
                store,
                issuer,
                principal,
                access_ttl=ACCESS_TTL,
                refresh_ttl=REFRESH_TTL,
                clock=clock,
            ),
            "human_required",
        )
    await fails(
        start_session(
            store, issuer, admin, access_ttl=timedelta(0), refresh_ttl=REFRESH_TTL, clock=clock
        ),
        "validation_failed",
    )


async def test_no_token_ever_reaches_the_audit_log(
    store: Store, issuer: TokenIssuer, clock: FakeClock, admin: Principal
) -> None:
    first = await sign_in(store, issuer, clock, ADMIN_EMAIL, ADMIN_PASSWORD)
    second = await refresh(store, issuer, clock, first)
    await fails(refresh(store, issuer, clock, first), "unauthenticated")
    await revoke_session(store, issuer, second.refresh_token, clock=clock)

    text = await audit_text(store)

    for tokens in (first, second):
        for token in (tokens.access_token, tokens.refresh_token):
            assert token not in text
            assert token.split(".")[2] not in text
    assert ADMIN_PASSWORD not in text
