"""In-memory password hashes and refresh-token records, and their org-agnostic reads.

Like the SQL store: a password or a refresh token needs its user
(``NotFound`` otherwise), refresh-token ids are unique across orgs, and
``mark_used`` is a compare-and-set (a concurrent commit that changed the same
row first makes this one's commit a ``Conflict``).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from pearl_core.domain.base import PearlRecord, UtcDatetime
from pearl_core.domain.identity import User
from pearl_core.domain.sessions import RefreshTokenRecord
from pearl_core.errors import AlreadyExists, Forbidden, NotFound
from pearl_core.ports import MAX_LOGINS_PER_EMAIL, RefreshGrant, UserLogin
from pearl_core.testing._tables import MemoryState, Row, Transaction, parse

__all__ = [
    "MemoryPasswordRepository",
    "MemoryRefreshTokenRepository",
    "memory_refresh_grant",
    "memory_user_by_email",
    "memory_user_logins",
]

Key = tuple[str, ...]

_PASSWORDS = "user_passwords"
_TOKENS = "refresh_tokens"


class _PasswordRow(PearlRecord):
    """A ``user_passwords`` row (the SQL store keeps these as columns)."""

    user_id: str
    password_hash: str = Field(repr=False)
    updated_at: UtcDatetime


class MemoryPasswordRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        tx = self._tx
        if tx.doc("users", user_id) is None:
            raise NotFound(user_id)
        row = _PasswordRow(user_id=user_id, password_hash=password_hash, updated_at=tx.clock.now())
        if not tx.insert(_PASSWORDS, (user_id,), row):
            tx.update(_PASSWORDS, (user_id,), row)

    async def password_hash_for(self, user_id: str) -> str | None:
        doc = self._tx.doc(_PASSWORDS, user_id)
        return None if doc is None else parse(_PasswordRow, doc).password_hash


class MemoryRefreshTokenRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, record: RefreshTokenRecord) -> None:
        tx = self._tx
        if record.org_id != tx.org_id:
            raise Forbidden("cannot store an object of another org", org_id=record.org_id)
        if tx.doc("users", record.subject_id) is None:
            raise NotFound(record.subject_id)
        taken = any(stored[1] == record.jti for stored in tx.tables[_TOKENS])
        if taken or not tx.insert(_TOKENS, (record.jti,), record, **_columns(record)):
            raise AlreadyExists("a refresh token with this id exists", id=record.jti)

    async def find(self, jti: str) -> RefreshTokenRecord | None:
        doc = self._tx.doc(_TOKENS, jti)
        return None if doc is None else parse(RefreshTokenRecord, doc)

    async def family(self, family_id: str) -> list[RefreshTokenRecord]:
        records = [
            parse(RefreshTokenRecord, doc) for doc in self._tx.docs(_TOKENS, family_id=family_id)
        ]
        return sorted(records, key=lambda record: (record.issued_at, record.jti))

    async def mark_used(self, jti: str, *, used_at: datetime, replaced_by: str) -> bool:
        doc = self._tx.doc(_TOKENS, jti)
        if doc is None:
            return False
        record = parse(RefreshTokenRecord, doc)
        if record.is_spent():
            return False
        used = record.model_copy(update={"used_at": used_at, "replaced_by": replaced_by})
        return self._tx.update(_TOKENS, (jti,), used, expect_doc=doc, **_columns(used))

    async def revoke_family(self, family_id: str, *, at: datetime) -> int:
        return self._revoke_all(at, self._tx.rows(_TOKENS, family_id=family_id))

    async def revoke_subject(self, subject_id: str, *, at: datetime) -> int:
        return self._revoke_all(at, self._tx.rows(_TOKENS, subject_id=subject_id))

    def _revoke_all(self, at: datetime, rows: list[tuple[Key, Row]]) -> int:
        revoked = 0
        for key, row in rows:
            record = parse(RefreshTokenRecord, row.doc)
            if record.revoked_at is not None:
                continue
            ended = record.model_copy(update={"revoked_at": at})
            if self._tx.update(_TOKENS, key[1:], ended, **_columns(ended)):
                revoked += 1
        return revoked


def _columns(record: RefreshTokenRecord) -> dict[str, str]:
    return {"family_id": record.family_id, "subject_id": record.subject_id}


def memory_user_logins(
    state: MemoryState, email: str, *, org_id: str | None = None
) -> list[UserLogin]:
    """``CredentialLookup.user_logins`` over committed in-memory state."""
    found: list[UserLogin] = []
    for key, row in state.tables["users"].items():
        if row.cols.get("email") != email.lower() or org_id not in (None, key[0]):
            continue
        password = state.tables[_PASSWORDS].get(key)
        if password is not None:
            found.append(
                UserLogin(
                    user=parse(User, row.doc),
                    password_hash=parse(_PasswordRow, password.doc).password_hash,
                )
            )
    return found[:MAX_LOGINS_PER_EMAIL]


def memory_user_by_email(state: MemoryState, org_id: str, email: str) -> User | None:
    """``CredentialLookup.user_by_email`` over committed in-memory state."""
    for key, row in state.tables["users"].items():
        if key[0] == org_id and row.cols.get("email") == email.lower():
            return parse(User, row.doc)
    return None


def memory_refresh_grant(state: MemoryState, jti: str) -> RefreshGrant | None:
    """``CredentialLookup.refresh_token`` over committed in-memory state."""
    for key, row in state.tables[_TOKENS].items():
        if key[1] != jti:
            continue
        record = parse(RefreshTokenRecord, row.doc)
        user = state.tables["users"].get((record.org_id, record.subject_id))
        return None if user is None else RefreshGrant(token=record, user=parse(User, user.doc))
    return None
