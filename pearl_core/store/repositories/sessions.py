"""Password hashes and refresh-token records: two org-bound repositories, and the
org-agnostic reads that :class:`~pearl_core.store.repositories.credentials.SqlCredentialLookup`
runs to sign a user in or refresh a session before a principal exists.

Refresh tokens change state only through single ``UPDATE`` statements whose
``WHERE`` clause carries the state they expect (compare-and-set), so of two
concurrent refreshes with one token exactly one changes the row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pearl_core.domain.identity import User
from pearl_core.domain.sessions import RefreshTokenRecord
from pearl_core.errors import AlreadyExists, Forbidden, NotFound
from pearl_core.ports import MAX_LOGINS_PER_EMAIL, RefreshGrant, UserLogin
from pearl_core.store.repositories._scope import Parent, Scope, insert_new, parse, update_row
from pearl_core.store.tables import refresh_tokens, user_passwords, users

__all__ = [
    "SqlPasswordRepository",
    "SqlRefreshTokenRepository",
    "refresh_grant",
    "user_by_email",
    "user_logins",
]

_TOKEN_COLUMNS = (
    refresh_tokens.c.jti,
    refresh_tokens.c.family_id,
    refresh_tokens.c.org_id,
    refresh_tokens.c.subject_id,
    refresh_tokens.c.issued_at,
    refresh_tokens.c.expires_at,
    refresh_tokens.c.used_at,
    refresh_tokens.c.revoked_at,
    refresh_tokens.c.replaced_by,
)


class SqlPasswordRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        scope = self._scope
        values = {"password_hash": password_hash, "updated_at": scope.clock.now()}
        user = Parent(users, {"user_id": user_id}, NotFound(user_id))
        if await insert_new(scope, user_passwords, {"user_id": user_id, **values}, parent=user):
            return
        if not await update_row(scope, user_passwords, {"user_id": user_id}, values):
            raise NotFound(user_id)

    async def password_hash_for(self, user_id: str) -> str | None:
        table = user_passwords
        statement = select(table.c.password_hash).where(
            self._scope.owns(table), table.c.user_id == user_id
        )
        result = await self._scope.execute(statement.limit(1))
        return result.scalar_one_or_none()


class SqlRefreshTokenRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, record: RefreshTokenRecord) -> None:
        if record.org_id != self._scope.org_id:
            raise Forbidden("cannot store an object of another org", org_id=record.org_id)
        values = record.model_dump(exclude={"org_id"})
        user = Parent(users, {"user_id": record.subject_id}, NotFound(record.subject_id))
        if not await insert_new(self._scope, refresh_tokens, values, parent=user):
            raise AlreadyExists("a refresh token with this id exists", id=record.jti)

    async def find(self, jti: str) -> RefreshTokenRecord | None:
        statement = select(*_TOKEN_COLUMNS).where(
            self._scope.owns(refresh_tokens), refresh_tokens.c.jti == jti
        )
        row = (await self._scope.execute(statement.limit(1))).first()
        return None if row is None else _record(row)

    async def family(self, family_id: str) -> list[RefreshTokenRecord]:
        statement = (
            select(*_TOKEN_COLUMNS)
            .where(self._scope.owns(refresh_tokens), refresh_tokens.c.family_id == family_id)
            .order_by(refresh_tokens.c.issued_at, refresh_tokens.c.jti)
        )
        return [_record(row) for row in await self._scope.execute(statement)]

    async def mark_used(self, jti: str, *, used_at: datetime, replaced_by: str) -> bool:
        table = refresh_tokens
        statement = (
            update(table)
            .where(
                self._scope.owns(table),
                table.c.jti == jti,
                table.c.used_at.is_(None),
                table.c.revoked_at.is_(None),
            )
            .values(used_at=used_at, replaced_by=replaced_by)
        )
        return await self._changed(statement) == 1

    async def revoke_family(self, family_id: str, *, at: datetime) -> int:
        return await self._revoke_all(refresh_tokens.c.family_id == family_id, at)

    async def revoke_subject(self, subject_id: str, *, at: datetime) -> int:
        return await self._revoke_all(refresh_tokens.c.subject_id == subject_id, at)

    async def _revoke_all(self, which: Any, at: datetime) -> int:
        table = refresh_tokens
        statement = (
            update(table)
            .where(self._scope.owns(table), which, table.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        # Repeat until nothing is left: on PostgreSQL a statement that waited on
        # a row lock does not see rows committed meanwhile (a refresh's new token).
        total = 0
        while changed := await self._changed(statement):
            total += changed
        return total

    async def _changed(self, statement: Any) -> int:
        changed = (await self._scope.execute(statement)).rowcount
        self._scope.writes += changed
        return changed


def _record(row: Row[Any]) -> RefreshTokenRecord:
    return RefreshTokenRecord(**row._asdict())


async def user_logins(
    connection: AsyncConnection, email: str, *, org_id: str | None = None
) -> list[UserLogin]:
    """Users with a password and this email (in ``org_id``, if given), at most
    ``MAX_LOGINS_PER_EMAIL``, oldest org first."""
    statement = (
        select(users.c.doc, user_passwords.c.password_hash)
        .join(
            user_passwords,
            and_(
                user_passwords.c.org_id == users.c.org_id,
                user_passwords.c.user_id == users.c.user_id,
            ),
        )
        .where(users.c.email == email.lower())
        .order_by(users.c.stored_at, users.c.org_id)
        .limit(MAX_LOGINS_PER_EMAIL)
    )
    if org_id is not None:
        statement = statement.where(users.c.org_id == org_id)
    rows = (await connection.execute(statement)).all()
    return [UserLogin(user=parse(User, doc), password_hash=hashed) for doc, hashed in rows]


async def user_by_email(connection: AsyncConnection, org_id: str, email: str) -> User | None:
    """The user of ``org_id`` with this email (case-insensitive), or None."""
    statement = select(users.c.doc).where(users.c.org_id == org_id, users.c.email == email.lower())
    doc = (await connection.execute(statement)).scalar_one_or_none()
    return None if doc is None else parse(User, doc)


async def refresh_grant(connection: AsyncConnection, jti: str) -> RefreshGrant | None:
    """The record of the refresh token ``jti`` and its user, whatever the org; or None."""
    statement = (
        select(*_TOKEN_COLUMNS, users.c.doc)
        .join(
            users,
            and_(
                users.c.org_id == refresh_tokens.c.org_id,
                users.c.user_id == refresh_tokens.c.subject_id,
            ),
        )
        .where(refresh_tokens.c.jti == jti)
        .limit(1)
    )
    row = (await connection.execute(statement)).first()
    if row is None:
        return None
    fields = row._asdict()
    user = parse(User, fields.pop("doc"))
    return RefreshGrant(token=RefreshTokenRecord(**fields), user=user)
