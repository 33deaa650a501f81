"""API keys: the org-bound repository, and the one org-agnostic lookup.

:class:`SqlApiKeyRepository` behaves like every repository (bound to the
acting principal's org). :class:`SqlCredentialLookup` is the exception the
resolver needs: a presented key names only its id, so it reads by key id
across orgs, on its own short transaction, and learns the org from the row.
Nothing else may use it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio
from sqlalchemy import and_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.identity import ServiceAccount, User
from pearl_core.errors import AlreadyExists, ApiKeyNotFound, Forbidden, NotFound, StoreUnavailable
from pearl_core.ports import ApiKeyGrant, RefreshGrant, UserLogin
from pearl_core.store.engine import begin_transaction
from pearl_core.store.repositories import sessions
from pearl_core.store.repositories._scope import (
    Parent,
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_new,
    parse,
    update_row,
    where,
)
from pearl_core.store.tables import api_keys, service_accounts

__all__ = ["SqlApiKeyRepository", "SqlCredentialLookup"]


class SqlApiKeyRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, key: ApiKey) -> None:
        if key.org_id != self._scope.org_id:
            raise Forbidden("cannot store an object of another org", org_id=key.org_id)
        account = Parent(
            service_accounts,
            {"service_account_id": key.principal_id},
            NotFound(key.principal_id),
        )
        values = {
            "key_id": key.key_id,
            "principal_id": key.principal_id,
            "stored_at": self._scope.clock.now(),
            **_columns(key),
        }
        if not await insert_new(self._scope, api_keys, values, parent=account):
            raise AlreadyExists("an API key with this id exists", id=key.key_id)

    async def get(self, key_id: str) -> ApiKey:
        statement = select(api_keys.c.doc).where(*where(self._scope, api_keys, key_id=key_id))
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise ApiKeyNotFound(key_id)
        return parse(ApiKey, doc)

    async def list(self, *, principal_id: str | None = None) -> list[ApiKey]:
        statement = (
            select(api_keys.c.doc)
            .where(*where(self._scope, api_keys, principal_id=principal_id))
            .order_by(api_keys.c.stored_at, api_keys.c.key_id)
        )
        return [parse(ApiKey, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, key: ApiKey) -> None:
        row = {"key_id": key.key_id, "principal_id": key.principal_id}
        if key.org_id != self._scope.org_id or not await update_row(
            self._scope, api_keys, row, _columns(key)
        ):
            raise ApiKeyNotFound(key.key_id)


def _columns(key: ApiKey) -> dict[str, Any]:
    return {
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
        "doc": dump(key),
    }


class SqlCredentialLookup:
    """``ports.CredentialLookup`` on the SQL store (used only to authenticate)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def api_key(self, key_id: str) -> ApiKeyGrant | None:
        statement = (
            select(api_keys.c.doc, service_accounts.c.doc)
            .join(
                service_accounts,
                and_(
                    service_accounts.c.org_id == api_keys.c.org_id,
                    service_accounts.c.service_account_id == api_keys.c.principal_id,
                ),
            )
            .where(api_keys.c.key_id == key_id)
            .limit(1)
        )
        async with self._transaction() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            return None
        key_doc, account_doc = row
        return ApiKeyGrant(key=parse(ApiKey, key_doc), account=parse(ServiceAccount, account_doc))

    async def touch_api_key(self, key: ApiKey, used_at: datetime) -> None:
        touched = key.model_copy(update={"last_used_at": used_at})
        statement = (
            update(api_keys)
            .where(api_keys.c.key_id == key.key_id, api_keys.c.doc == dump(key))
            .values(last_used_at=used_at, doc=dump(touched))
        )
        async with self._transaction(read_only=False) as connection:
            await connection.execute(statement)
            await connection.commit()

    async def user_logins(self, email: str, *, org_id: str | None = None) -> list[UserLogin]:
        async with self._transaction() as connection:
            return await sessions.user_logins(connection, email, org_id=org_id)

    async def user_by_email(self, org_id: str, email: str) -> User | None:
        async with self._transaction() as connection:
            return await sessions.user_by_email(connection, org_id, email)

    async def refresh_token(self, jti: str) -> RefreshGrant | None:
        async with self._transaction() as connection:
            return await sessions.refresh_grant(connection, jti)

    @asynccontextmanager
    async def _transaction(self, *, read_only: bool = True) -> AsyncIterator[AsyncConnection]:
        """A connection in its own transaction, rolled back unless committed.

        Reads take no SQLite write lock (see ``begin_transaction``): a request
        is authenticated even while a long ingest holds the lock.
        """
        connection = await begin_transaction(self._engine, read_only=read_only)
        try:
            yield connection
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable("the database connection was lost") from exc
            raise
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    if connection.in_transaction():
                        await connection.rollback()
                finally:
                    await connection.close()
