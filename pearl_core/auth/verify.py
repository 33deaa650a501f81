"""Tokens from external identity providers: verified against issuers PeaRL trusts.

Each :class:`TrustedIssuer` names an issuer exactly as it writes ``iss``, the
audience its tokens must carry (PeaRL's canonical URL), the algorithms it may
sign with, where its keys are (a JWKS URI, or OpenID Connect discovery), the
org its subjects act in, and whether they are humans or service accounts.

The token's ``iss`` picks the issuer and that issuer's own key cache, so a key
of issuer A never verifies a token that claims issuer B. The discovery
document is fetched once, on the first token of that issuer, and kept; a
failed attempt is retried at most once per cooldown.

A token whose ``typ`` header is ``at+jwt`` (RFC 9068) is an access token;
one with ``typ`` ``JWT`` or none is an ID token (most providers issue access
tokens typed ``JWT`` too); any other ``typ`` is refused. Each issuer lists
the kinds it accepts.

A GitHub Actions OIDC token is a CI service account: trust
``https://token.actions.githubusercontent.com`` with ``kind`` service_account,
``audience`` PeaRL's URL (the workflow asks for it), and map a claim that names
the workflow — ``role_claim`` ``sub`` (``repo:org/repo:ref:refs/heads/main``)
or ``repository`` — to ``operator``. A string claim counts as a list of one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

import anyio

from pearl_core.auth.claims import (
    DEFAULT_ALGORITHMS,
    MAX_LEEWAY,
    TokenKind,
    VerifiedToken,
    check_algorithms,
    check_leeway,
    check_times,
    decode,
    optional_string,
    parse_unverified,
    refuse,
    string_claim,
)
from pearl_core.auth.discovery import discover
from pearl_core.auth.jwks import Fetch, JwksCache, is_fetchable
from pearl_core.auth.roles import principal_from
from pearl_core.clock import Clock
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import HUMAN_ONLY_ROLES, Principal
from pearl_core.errors import ConfigurationError

__all__ = ["TokenVerifier", "TrustedIssuer"]

_SETTING: Final = "PEARL_OIDC_ISSUERS"
_ACCESS_TYPES: Final = frozenset({"at+jwt", "application/at+jwt"})
_ID_TYPES: Final = frozenset({"jwt", "application/jwt"})
_DISCOVERY_COOLDOWN: Final = timedelta(seconds=60)
_ORG_ID: Final = re.compile(r"org_[A-Za-z0-9_-]{1,120}")


@dataclass(frozen=True, kw_only=True)
class TrustedIssuer:
    """An external issuer whose tokens PeaRL accepts, and how its claims map to a principal."""

    issuer: str
    audience: str
    org_id: str
    kind: PrincipalKind
    role_map: Mapping[str, tuple[Role, ...]]
    """Values of ``role_claim`` (IdP groups) → the PeaRL roles they grant."""
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    jwks_uri: str | None = None
    """``None``: found by OpenID Connect discovery."""
    role_claim: str = "groups"
    """The claim holding group names: a top-level name, else a dotted path
    (``realm_access.roles``)."""
    subject_claim: str = "sub"
    token_kinds: tuple[TokenKind, ...] = (TokenKind.ACCESS, TokenKind.ID)

    def __post_init__(self) -> None:
        try:
            kind = PrincipalKind(self.kind)
            role_map = {
                str(group): tuple(Role(role) for role in roles)
                for group, roles in self.role_map.items()
            }
            kinds = tuple(TokenKind(token_kind) for token_kind in self.token_kinds)
        except (ValueError, TypeError, AttributeError):
            raise self._invalid("names an unknown kind, role or token kind") from None
        if kind is PrincipalKind.SYSTEM:
            raise self._invalid("kind must be human or service_account")
        granted = frozenset(role for roles in role_map.values() for role in roles)
        if kind is PrincipalKind.SERVICE_ACCOUNT and granted & HUMAN_ONLY_ROLES:
            raise self._invalid("maps a service-account issuer to reviewer or admin")
        if kind is PrincipalKind.HUMAN and Role.SERVICE_ACCOUNT in granted:
            raise self._invalid("maps a human issuer to the service_account role")
        if not kinds or TokenKind.REFRESH in kinds:
            raise self._invalid("may accept access and ID tokens only")
        names = (self.issuer, self.audience, self.subject_claim, self.role_claim)
        if not all(isinstance(name, str) and name for name in names):
            raise self._invalid("needs an issuer, an audience, a subject and a role claim")
        if self.jwks_uri is not None and not isinstance(self.jwks_uri, str):
            raise self._invalid("needs jwks_uri to be a URL")
        if not isinstance(self.org_id, str) or not _ORG_ID.fullmatch(self.org_id):
            raise self._invalid("needs an org_id like org_<name>")
        if not is_fetchable(self.jwks_uri or self.issuer):
            raise self._invalid("needs an https jwks_uri, or an https issuer to discover it")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "token_kinds", kinds)
        object.__setattr__(self, "algorithms", check_algorithms(self.algorithms, setting=_SETTING))
        object.__setattr__(self, "role_map", MappingProxyType(role_map))

    def _invalid(self, problem: str) -> ConfigurationError:
        return ConfigurationError(
            f"trusted issuer {self.issuer!r} {problem}", setting=_SETTING, issuer=self.issuer
        )


class _IssuerKeys:
    """One trusted issuer and its key cache, found by discovery on first use."""

    def __init__(self, trusted: TrustedIssuer, *, fetch: Fetch, clock: Clock) -> None:
        self.trusted = trusted
        self._fetch, self._clock = fetch, clock
        self._cache = self._new_cache(trusted.jwks_uri) if trusted.jwks_uri else None
        self._lock = anyio.Lock()
        self._attempted_at: datetime | None = None

    def _new_cache(self, jwks_uri: str) -> JwksCache:
        return JwksCache(jwks_uri, fetch=self._fetch, clock=self._clock)

    async def cache(self) -> JwksCache:
        if self._cache is not None:
            return self._cache
        async with self._lock:
            if self._cache is None:
                now = self._clock.now()
                if self._attempted_at and now - self._attempted_at < _DISCOVERY_COOLDOWN:
                    raise refuse("issuer_unavailable", issuer=self.trusted.issuer)
                self._attempted_at = now
                provider = await discover(self.trusted.issuer, fetch=self._fetch)
                self._cache = self._new_cache(provider.jwks_uri)
            return self._cache


class TokenVerifier:
    """Verifies tokens of the :class:`TrustedIssuer` s it was given, and maps them to principals.

    Verifying a token whose key is cached does no I/O."""

    def __init__(
        self,
        issuers: Sequence[TrustedIssuer],
        *,
        fetch: Fetch,
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
        max_leeway: timedelta = MAX_LEEWAY,
    ) -> None:
        self._clock = clock
        self._leeway = check_leeway(leeway, max_leeway)
        self._issuers: dict[str, _IssuerKeys] = {}
        for trusted in issuers:
            if trusted.issuer in self._issuers:
                raise ConfigurationError(
                    f"issuer {trusted.issuer!r} is trusted twice",
                    setting=_SETTING,
                    issuer=trusted.issuer,
                )
            self._issuers[trusted.issuer] = _IssuerKeys(trusted, fetch=fetch, clock=clock)
        self._algorithms = frozenset(alg for trusted in issuers for alg in trusted.algorithms)

    @property
    def issuers(self) -> tuple[str, ...]:
        return tuple(self._issuers)

    async def verify(self, token: str) -> VerifiedToken:
        """``token`` verified against the trusted issuer it names; ``Unauthenticated``
        (with a ``reason``) otherwise."""
        unverified = parse_unverified(token)
        alg = unverified.alg
        if alg not in self._algorithms:
            raise refuse("algorithm_not_allowed")
        claimed = unverified.payload.get("iss")
        entry = self._issuers.get(claimed) if isinstance(claimed, str) else None
        if entry is None:
            raise refuse("unknown_issuer")
        trusted = entry.trusted
        if alg not in trusted.algorithms:
            raise refuse("algorithm_not_allowed")
        kid = unverified.kid
        key = await (await entry.cache()).key(kid)
        if key.algorithm_name != alg:
            raise refuse("algorithm_not_allowed")
        claims = decode(token, key, issuer=trusted.issuer, audience=trusted.audience)
        kind = _kind_of(unverified.header.get("typ"))
        if kind not in trusted.token_kinds:
            raise refuse("wrong_token_kind")
        expires_at = check_times(claims, now=self._clock.now(), leeway=self._leeway)
        return VerifiedToken(
            issuer=trusted.issuer,
            subject=string_claim(claims, trusted.subject_claim),
            kind=kind,
            claims=MappingProxyType(claims),
            jti=optional_string(claims, "jti"),
            expires_at=expires_at,
            key_id=kid,
        )

    def principal_for(self, token: VerifiedToken) -> Principal:
        """The principal ``token`` (verified by this verifier) acts as: its issuer's org,
        kind and the roles its groups map to. ``Forbidden`` (reason ``no_role``) if it
        maps to none; a service account never gets reviewer or admin."""
        entry = self._issuers.get(token.issuer)
        if entry is None:
            raise refuse("unknown_issuer")
        return principal_from(token, entry.trusted)


def _kind_of(typ: object) -> TokenKind:
    if typ is None:
        return TokenKind.ID
    normalized = typ.lower() if isinstance(typ, str) else ""
    if normalized in _ACCESS_TYPES:
        return TokenKind.ACCESS
    if normalized in _ID_TYPES:
        return TokenKind.ID
    raise refuse("wrong_token_kind")
