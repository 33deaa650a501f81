"""Sessions: the refresh tokens a signed-in human renews their access with.

A login starts a *family*: its first refresh token. Each refresh uses up the
presented token (``used_at``, ``replaced_by``) and issues the next one of the
same family, so a family is a chain of single-use tokens. A token presented a
second time (used or revoked already) means two parties hold it: the whole
family is revoked, the newest token too, and the holder must sign in again.

PeaRL stores each token's id (``jti``), never the token itself: a refresh
token is a signed JWT whose ``jti`` names its record here.

A human's password is not part of :class:`~pearl_core.domain.identity.User`:
its hash lives in a table of its own that only the account services read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

from pydantic import Field, model_validator

from pearl_core.domain.base import PearlRecord, UtcDatetime

__all__ = ["SESSION_ID_PATTERN", "RefreshTokenRecord"]

SESSION_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{16,64}$"
"""A token id or family id: 16 to 64 URL-safe characters (PeaRL mints 32 random ones)."""

TokenId = Annotated[str, Field(pattern=SESSION_ID_PATTERN)]


class RefreshTokenRecord(PearlRecord):
    """One refresh token of a session family, as stored (the token itself is not)."""

    jti: TokenId
    family_id: TokenId
    """The login this token descends from; revoking a session revokes its family."""
    org_id: Annotated[str, Field(pattern=r"^org_[A-Za-z0-9_-]+$", max_length=128)]
    subject_id: Annotated[str, Field(pattern=r"^usr_[A-Za-z0-9_-]+$", max_length=128)]
    """The human the session belongs to."""
    issued_at: UtcDatetime
    expires_at: UtcDatetime
    used_at: UtcDatetime | None = None
    """When the token was exchanged for the next one (a token is used at most once)."""
    revoked_at: UtcDatetime | None = None
    replaced_by: TokenId | None = None
    """The ``jti`` of the token it was exchanged for."""

    @model_validator(mode="after")
    def _expires_after_issue(self) -> RefreshTokenRecord:
        if self.expires_at <= self.issued_at:
            raise ValueError("a refresh token must expire after it is issued")
        if (self.used_at is None) != (self.replaced_by is None):
            raise ValueError("a used refresh token names its replacement, and only then")
        return self

    def is_spent(self) -> bool:
        """Used or revoked: presenting it again is a replay."""
        return self.used_at is not None or self.revoked_at is not None

    def is_active(self, now: datetime) -> bool:
        """Neither used, revoked nor expired at ``now``."""
        return not self.is_spent() and now < self.expires_at
