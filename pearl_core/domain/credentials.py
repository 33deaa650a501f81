"""Credentials: the API keys service accounts (AI agents, CI jobs) authenticate with.

A key is presented as ``pearl_<key_id>_<secret>``. PeaRL stores only the
public ``key_id`` (12 lowercase base32 characters, globally unique) and a
digest of the secret (hex HMAC-SHA256 with the server's pepper), never the
secret itself: the full key is shown once, when it is minted.

A key acts as one service account (``principal_id``) and may be limited to
some of the permissions that account's roles grant (``scopes``; empty: all of
them). It always expires; a revoked key stays stored, for the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

from pydantic import Field, model_validator

from pearl_core.domain.base import PearlRecord, UtcDatetime
from pearl_core.domain.permissions import Permission

__all__ = ["API_KEY_ID_PATTERN", "ApiKey"]

API_KEY_ID_PATTERN: Final = r"^[a-z2-7]{12}$"
"""A key id: 12 characters of the lowercase RFC 4648 base32 alphabet (60 random bits)."""


class ApiKey(PearlRecord):
    """One API key of a service account, as stored (without its secret)."""

    key_id: Annotated[str, Field(pattern=API_KEY_ID_PATTERN)]
    org_id: Annotated[str, Field(pattern=r"^org_[A-Za-z0-9_-]+$", max_length=128)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    principal_id: Annotated[str, Field(pattern=r"^sa_[A-Za-z0-9_-]+$", max_length=128)]
    """The service account the key acts as."""
    scopes: tuple[Permission, ...] = ()
    """The permissions the key may use (empty: all its service account's roles grant)."""
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", repr=False)]
    """Hex HMAC-SHA256 of the secret, keyed with the server's pepper."""
    created_by: Annotated[str, Field(min_length=1, max_length=200)]
    created_at: UtcDatetime
    expires_at: UtcDatetime
    revoked_at: UtcDatetime | None = None
    last_used_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _expires_after_creation(self) -> ApiKey:
        if self.expires_at <= self.created_at:
            raise ValueError("an API key must expire after it is created")
        if len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes must not repeat")
        return self

    def is_active(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and now < self.expires_at
