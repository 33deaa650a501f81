"""Identity and credential ports: orgs, teams, users and service accounts, and
the password hashes, refresh tokens and API keys they sign in with, plus
:class:`CredentialLookup`, the org-agnostic reads that authenticate a request
before its org is known (and the small records it returns).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.identity import Org, ServiceAccount, Team, User
from pearl_core.domain.sessions import RefreshTokenRecord

__all__ = [
    "MAX_LOGINS_PER_EMAIL",
    "ApiKeyGrant",
    "ApiKeyRepository",
    "CredentialLookup",
    "OrgRepository",
    "PasswordRepository",
    "RefreshGrant",
    "RefreshTokenRepository",
    "ServiceAccountRepository",
    "TeamRepository",
    "UserLogin",
    "UserRepository",
]


class OrgRepository(Protocol):
    async def add(self, org: Org) -> None:
        """Create the principal's own org (``org.org_id`` must be the principal's)."""
        ...

    async def get(self) -> Org:
        """The principal's org; ``OrgNotFound`` if it was never created."""
        ...


class TeamRepository(Protocol):
    async def add(self, team: Team) -> None: ...
    async def get(self, team_id: str) -> Team: ...
    async def list(self) -> builtins.list[Team]: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: str) -> User: ...
    async def by_email(self, email: str) -> User | None: ...
    async def list(self) -> builtins.list[User]: ...
    async def update(self, user: User) -> None: ...


class ServiceAccountRepository(Protocol):
    async def add(self, account: ServiceAccount) -> None: ...
    async def get(self, service_account_id: str) -> ServiceAccount: ...
    async def by_name(self, name: str) -> ServiceAccount | None: ...
    async def list(self) -> builtins.list[ServiceAccount]: ...
    async def update(self, account: ServiceAccount) -> None: ...


class PasswordRepository(Protocol):
    """The org's users' password hashes, kept apart from :class:`User` documents."""

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Store (or replace) the user's hash; ``NotFound`` without the user."""
        ...

    async def password_hash_for(self, user_id: str) -> str | None:
        """The user's stored hash; None if the user has no password (or no such user)."""
        ...


class RefreshTokenRepository(Protocol):
    """Refresh-token records of the org's sessions (see :mod:`pearl_core.domain.sessions`)."""

    async def add(self, record: RefreshTokenRecord) -> None:
        """Store a new record; ``AlreadyExists`` if its jti is taken (in any org),
        ``NotFound`` without its user."""
        ...

    async def find(self, jti: str) -> RefreshTokenRecord | None:
        """The record with this jti in this org, or None."""
        ...

    async def family(self, family_id: str) -> builtins.list[RefreshTokenRecord]:
        """Every record of one session family, oldest first."""
        ...

    async def mark_used(self, jti: str, *, used_at: datetime, replaced_by: str) -> bool:
        """Compare-and-set: mark the token used (replaced by ``replaced_by``) only if
        it is neither used nor revoked. False when it was, so of two concurrent
        refreshes with one token exactly one succeeds."""
        ...

    async def revoke_family(self, family_id: str, *, at: datetime) -> int:
        """Revoke every not yet revoked token of the family; how many were."""
        ...

    async def revoke_subject(self, subject_id: str, *, at: datetime) -> int:
        """Revoke every not yet revoked token of the user's sessions; how many were."""
        ...


class ApiKeyRepository(Protocol):
    """API keys of the org's service accounts (see :mod:`pearl_core.domain.credentials`)."""

    async def add(self, key: ApiKey) -> None:
        """Store a new key; ``AlreadyExists`` if its key id is taken (in any org),
        ``NotFound`` without its service account."""
        ...

    async def get(self, key_id: str) -> ApiKey:
        """The key; ``ApiKeyNotFound`` if absent in this org."""
        ...

    async def list(self, *, principal_id: str | None = None) -> builtins.list[ApiKey]:
        """The org's keys (of one service account, if given), oldest first."""
        ...

    async def update(self, key: ApiKey) -> None:
        """Replace a stored key (revocation); ``ApiKeyNotFound`` if absent."""
        ...


@dataclass(frozen=True, slots=True)
class ApiKeyGrant:
    """What authenticating with an API key needs: the key and the account it acts as."""

    key: ApiKey
    account: ServiceAccount


MAX_LOGINS_PER_EMAIL: Final = 5
"""One email may have a password in several orgs; sign-in tries at most this many."""


@dataclass(frozen=True, slots=True)
class UserLogin:
    """What signing in with a password needs: the user and their password hash."""

    user: User
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    """What refreshing a session needs: the presented token's record and its user."""

    token: RefreshTokenRecord
    user: User


class CredentialLookup(Protocol):
    """Org-agnostic credential reads, for authenticating a request before its org is known.

    The one exception to org-bound repositories, used only by
    :func:`~pearl_core.services.credentials.resolve_api_key`,
    :func:`~pearl_core.services.accounts.authenticate_password` and the session
    services: a key id, an email or a token id is the only thing they are
    given, and the org is what they find out.
    """

    async def api_key(self, key_id: str) -> ApiKeyGrant | None:
        """The key with this id and its service account, whatever their org; or None."""
        ...

    async def touch_api_key(self, key: ApiKey, used_at: datetime) -> None:
        """Record that ``key`` (as read) was used at ``used_at``.

        Bookkeeping, not a governed state change: it writes no audit event, and
        only if the stored key is still ``key`` (a concurrent revocation wins).
        """
        ...

    async def user_logins(self, email: str, *, org_id: str | None = None) -> list[UserLogin]:
        """Users with a password whose email is ``email`` (case-insensitive), in
        ``org_id`` if given, else in any org (one email may have a password in
        several orgs; at most a handful are returned, oldest first)."""
        ...

    async def user_by_email(self, org_id: str, email: str) -> User | None:
        """The user of ``org_id`` whose email is ``email`` (case-insensitive), or None:
        how a trusted identity provider's person is linked to a PeaRL user."""
        ...

    async def refresh_token(self, jti: str) -> RefreshGrant | None:
        """The refresh-token record with this jti and its user, whatever the org; or None."""
        ...
