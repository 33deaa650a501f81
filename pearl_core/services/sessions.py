"""Sessions of signed-in humans: short-lived access tokens, and refresh tokens
rotated on every use with reuse detection.

A session is a *family* of refresh tokens (:mod:`pearl_core.domain.sessions`).
:func:`start_session` stores its first token; :func:`refresh_session` uses the
presented token up (a compare-and-set: of two refreshes with one token exactly
one gets through) and issues the next pair of the same family, with the roles
the user record holds *now*, so a demotion or a disabled account takes effect
at the next refresh. A token presented again after it was used or revoked
means a copy is in someone else's hands: the whole family is revoked (the
newest token too, so whoever holds it must sign in again), the event is
audited as ``session.refresh_reuse_detected`` and the caller gets
``unauthenticated`` with ``reason="refresh_reused"``. Two refreshes racing
with one token are indistinguishable from a replay and are treated as one.

Changes of one org's sessions run with its audit chain head locked, so they
are serialised on every store. Tokens are minted and verified by
:class:`~pearl_core.auth.issuer.TokenIssuer`; no token ever reaches the store
or an audit event (only its ``jti``, an identifier).

Access tokens carry ``roles``, ``kind`` (always ``human``), ``name`` and
``sid`` (the family) beside the issuer's registered claims (``org_id`` among
them); :func:`principal_from_access_token` reads them back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, NoReturn

from pydantic import ValidationError

from pearl_core.auth.issuer import TokenIssuer, TokenKind, VerifiedToken
from pearl_core.clock import Clock
from pearl_core.domain.audit import AuditOutcome
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal, User
from pearl_core.domain.sessions import RefreshTokenRecord
from pearl_core.errors import (
    Conflict,
    HumanRequired,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from pearl_core.ids import is_id
from pearl_core.ports import RefreshGrant, SessionStore, UnitOfWork
from pearl_core.services.accounts import principal_for_user
from pearl_core.validation import parse

__all__ = [
    "SessionTokens",
    "principal_from_access_token",
    "refresh_session",
    "revoke_session",
    "start_session",
]

_SESSION: Final = "session"
_HUMAN: Final = PrincipalKind.HUMAN.value


@dataclass(frozen=True, slots=True)
class SessionTokens:
    """What a login or a refresh hands the client (an OAuth 2 token response)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    """Seconds until the access token expires."""
    token_type: str = "Bearer"  # noqa: S105 - the OAuth 2 token type, not a secret


async def start_session(
    store: SessionStore,
    issuer: TokenIssuer,
    principal: Principal,
    *,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    clock: Clock,
) -> SessionTokens:
    """A new session for the human ``principal`` (as
    :func:`~pearl_core.services.accounts.authenticate_password` returns): a new
    family, its first refresh token stored, and an access token.

    The tokens carry the roles of the user record. ``human_required`` for any
    other principal, ``unauthenticated`` if the user is disabled or gone.
    """
    if principal.kind is not PrincipalKind.HUMAN or not is_id(principal.subject_id, "usr"):
        raise HumanRequired("only a human user signs in to a session")
    _check_ttls(access_ttl, refresh_ttl)
    now = clock.now()
    first = _record(
        family_id=_token_id(),
        org_id=principal.org_id,
        subject_id=principal.subject_id,
        now=now,
        refresh_ttl=refresh_ttl,
    )
    async with store.unit_of_work(principal) as uow:
        user = await _enabled_user(uow, principal.subject_id)
        tokens = _mint(
            issuer,
            user,
            first,
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            signed_in_at=now,
        )
        await uow.refresh_tokens.add(first)
        await uow.audit.record(
            "session.started",
            resource_type=_SESSION,
            resource_id=first.family_id,
            details={"user_id": user.user_id, "refresh_expires_at": first.expires_at.isoformat()},
        )
        await uow.commit()
    return tokens


async def refresh_session(
    store: SessionStore,
    issuer: TokenIssuer,
    refresh_token: str,
    *,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    clock: Clock,
) -> SessionTokens:
    """The next pair of the presented refresh token's session (see the module docstring).

    ``unauthenticated`` with ``reason`` ``refresh_reused`` (the family is now
    revoked), ``invalid_refresh`` (unknown token, disabled user), ``expired``, or
    the issuer's own reasons for a token that does not verify.
    """
    _check_ttls(access_ttl, refresh_ttl)
    grant = await _grant(store, issuer.verify(refresh_token, kind=TokenKind.REFRESH))
    try:
        return await _rotate(store, issuer, grant, access_ttl, refresh_ttl, clock)
    except Conflict:
        # Only a store that commits optimistically (the in-memory one) gets here:
        # a concurrent change won; look again, and a replay is seen as one.
        return await _rotate(store, issuer, grant, access_ttl, refresh_ttl, clock)


async def revoke_session(
    store: SessionStore, issuer: TokenIssuer, refresh_token: str, *, clock: Clock
) -> None:
    """Log out: revoke every token of the presented refresh token's session.

    Revoking an ended session changes nothing; a token that does not verify is
    ``unauthenticated``.
    """
    grant = await _grant(store, issuer.verify(refresh_token, kind=TokenKind.REFRESH))
    async with store.unit_of_work(principal_for_user(grant.user)) as uow:
        await uow.audit.head()
        ended = await uow.refresh_tokens.revoke_family(grant.token.family_id, at=clock.now())
        if not ended:
            return
        await uow.audit.record(
            "session.revoked",
            resource_type=_SESSION,
            resource_id=grant.token.family_id,
            details={"user_id": grant.user.user_id, "tokens_revoked": ended},
        )
        await uow.commit()


def principal_from_access_token(verified: VerifiedToken) -> Principal:
    """The human principal an access token PeaRL minted (and its issuer verified) acts as.

    ``unauthenticated`` (``wrong_token_kind`` or ``bad_claims``) for any other token.
    """
    if verified.kind is not TokenKind.ACCESS:
        raise Unauthenticated("the token is of the wrong kind", reason="wrong_token_kind")
    claims = verified.claims
    roles, name = claims.get("roles"), claims.get("name", "")
    auth_time = claims.get("auth_time")
    if (
        claims.get("kind") != _HUMAN
        or not is_id(verified.subject, "usr")
        or not isinstance(roles, list)
        or not all(isinstance(role, str) for role in roles)
        or not isinstance(name, str)
        or not (auth_time is None or (isinstance(auth_time, int) and auth_time > 0))
    ):
        raise _bad_claims()
    try:
        return Principal(
            org_id=claims["org_id"],
            subject_id=verified.subject,
            kind=PrincipalKind.HUMAN,
            roles=frozenset(Role(role) for role in roles),
            display_name=name,
            from_token=True,
            signed_in_at=None if auth_time is None else datetime.fromtimestamp(auth_time, UTC),
        )
    except (ValueError, ValidationError, KeyError):
        raise _bad_claims() from None


# -- helpers -------------------------------------------------------------------


async def _rotate(
    store: SessionStore,
    issuer: TokenIssuer,
    grant: RefreshGrant,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    clock: Clock,
) -> SessionTokens:
    async with store.unit_of_work(principal_for_user(grant.user)) as uow:
        await uow.audit.head()
        presented = await uow.refresh_tokens.find(grant.token.jti)
        if presented is None:
            raise _invalid()
        now = clock.now()
        if presented.is_spent():
            await _end_reused_family(uow, presented, now)
        if now >= presented.expires_at:
            raise Unauthenticated("the refresh token has expired", reason="expired")
        user = await _enabled_user(uow, presented.subject_id)
        successor = _record(
            family_id=presented.family_id,
            org_id=presented.org_id,
            subject_id=presented.subject_id,
            now=now,
            refresh_ttl=refresh_ttl,
        )
        if not await uow.refresh_tokens.mark_used(
            presented.jti, used_at=now, replaced_by=successor.jti
        ):
            await _end_reused_family(uow, presented, now)
        tokens = _mint(issuer, user, successor, access_ttl=access_ttl, refresh_ttl=refresh_ttl)
        await uow.refresh_tokens.add(successor)
        await uow.audit.record(
            "session.refreshed",
            resource_type=_SESSION,
            resource_id=presented.family_id,
            details={"user_id": user.user_id, "roles": sorted(role.value for role in user.roles)},
        )
        await uow.commit()
    return tokens


async def _end_reused_family(
    uow: UnitOfWork, presented: RefreshTokenRecord, now: datetime
) -> NoReturn:
    """Revoke the whole family, record why, commit, and refuse the refresh."""
    revoked = await uow.refresh_tokens.revoke_family(presented.family_id, at=now)
    await uow.audit.record(
        "session.refresh_reuse_detected",
        resource_type=_SESSION,
        resource_id=presented.family_id,
        outcome=AuditOutcome.DENIED,
        details={"user_id": presented.subject_id, "jti": presented.jti, "tokens_revoked": revoked},
    )
    await uow.commit()
    raise Unauthenticated(
        "the refresh token was used before; the session has ended", reason="refresh_reused"
    )


async def _grant(store: SessionStore, verified: VerifiedToken) -> RefreshGrant:
    """The stored record of a verified refresh token, which must match its claims."""
    grant = None if verified.jti is None else await store.credentials.refresh_token(verified.jti)
    if (
        grant is None
        or grant.token.subject_id != verified.subject
        or grant.token.org_id != verified.claims.get("org_id")
        or grant.token.family_id != verified.claims.get("sid")
    ):
        raise _invalid()
    return grant


async def _enabled_user(uow: UnitOfWork, user_id: str) -> User:
    """The user a session belongs to; ``invalid_refresh`` if gone or disabled."""
    try:
        user = await uow.users.get(user_id)
    except NotFound:
        raise _invalid() from None
    if user.disabled:
        raise _invalid()
    return user


def _mint(
    issuer: TokenIssuer,
    user: User,
    refresh: RefreshTokenRecord,
    *,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    signed_in_at: datetime | None = None,
) -> SessionTokens:
    claims: dict[str, object] = {
        "kind": _HUMAN,
        "roles": sorted(role.value for role in user.roles),
        "name": user.display_name,
        "sid": refresh.family_id,
    }
    if signed_in_at is not None:
        # Only the access token minted at sign-in says when the human signed in;
        # refreshed ones do not, so a stored refresh token can never decide.
        claims["auth_time"] = int(signed_in_at.timestamp())
    access = issuer.mint(
        subject=user.user_id,
        org_id=user.org_id,
        kind=TokenKind.ACCESS,
        ttl=access_ttl,
        claims=claims,
    )
    refresh_token = issuer.mint(
        subject=user.user_id,
        org_id=user.org_id,
        kind=TokenKind.REFRESH,
        ttl=refresh_ttl,
        claims={"sid": refresh.family_id},
        jti=refresh.jti,
    )
    return SessionTokens(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=int(access_ttl.total_seconds()),
    )


def _record(
    *, family_id: str, org_id: str, subject_id: str, now: datetime, refresh_ttl: timedelta
) -> RefreshTokenRecord:
    return parse(
        RefreshTokenRecord,
        {
            "jti": _token_id(),
            "family_id": family_id,
            "org_id": org_id,
            "subject_id": subject_id,
            "issued_at": now,
            "expires_at": now + refresh_ttl,
        },
    )


def _token_id() -> str:
    """32 URL-safe characters: 192 random bits."""
    return secrets.token_urlsafe(24)


def _check_ttls(access_ttl: timedelta, refresh_ttl: timedelta) -> None:
    for name, ttl in (("access_ttl", access_ttl), ("refresh_ttl", refresh_ttl)):
        if ttl < timedelta(seconds=1):
            raise ValidationFailed("a token lifetime must be at least a second", field=name)


def _invalid() -> Unauthenticated:
    return Unauthenticated("the refresh token is not valid", reason="invalid_refresh")


def _bad_claims() -> Unauthenticated:
    return Unauthenticated("the access token's claims are not PeaRL's", reason="bad_claims")
