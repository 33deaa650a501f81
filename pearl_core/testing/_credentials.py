"""In-memory API keys: the org-bound repository and the org-agnostic lookup.

Like the SQL store, key ids are unique across orgs, a key needs its service
account (``NotFound`` otherwise), and the lookup reads committed rows of any
org, touching ``last_used_at`` only if the key is still as it was read.
"""

from __future__ import annotations

from datetime import datetime

from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.identity import ServiceAccount, User
from pearl_core.errors import AlreadyExists, ApiKeyNotFound, Forbidden, NotFound
from pearl_core.ports import ApiKeyGrant, RefreshGrant, UserLogin
from pearl_core.testing._sessions import (
    memory_refresh_grant,
    memory_user_by_email,
    memory_user_logins,
)
from pearl_core.testing._tables import MemoryState, Row, Transaction, parse

__all__ = ["MemoryApiKeyRepository", "MemoryCredentialLookup"]

_TABLE = "api_keys"


class MemoryApiKeyRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, key: ApiKey) -> None:
        tx = self._tx
        if key.org_id != tx.org_id:
            raise Forbidden("cannot store an object of another org", org_id=key.org_id)
        if tx.doc("service_accounts", key.principal_id) is None:
            raise NotFound(key.principal_id)
        taken = any(stored[1] == key.key_id for stored in tx.tables[_TABLE])
        if taken or not tx.insert(_TABLE, (key.key_id,), key, principal_id=key.principal_id):
            raise AlreadyExists("an API key with this id exists", id=key.key_id)

    async def get(self, key_id: str) -> ApiKey:
        doc = self._tx.doc(_TABLE, key_id)
        if doc is None:
            raise ApiKeyNotFound(key_id)
        return parse(ApiKey, doc)

    async def list(self, *, principal_id: str | None = None) -> list[ApiKey]:
        return [parse(ApiKey, doc) for doc in self._tx.docs(_TABLE, principal_id=principal_id)]

    async def update(self, key: ApiKey) -> None:
        tx = self._tx
        doc = tx.doc(_TABLE, key.key_id) if key.org_id == tx.org_id else None
        if (
            doc is None
            or parse(ApiKey, doc).principal_id != key.principal_id
            or not tx.update(_TABLE, (key.key_id,), key, principal_id=key.principal_id)
        ):
            raise ApiKeyNotFound(key.key_id)


class MemoryCredentialLookup:
    """``ports.CredentialLookup`` over an in-memory store's committed state."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def api_key(self, key_id: str) -> ApiKeyGrant | None:
        found = self._find(key_id)
        if found is None:
            return None
        key = parse(ApiKey, found[1].doc)
        account = self._state.tables["service_accounts"].get((key.org_id, key.principal_id))
        if account is None:
            return None
        return ApiKeyGrant(key=key, account=parse(ServiceAccount, account.doc))

    async def touch_api_key(self, key: ApiKey, used_at: datetime) -> None:
        found = self._find(key.key_id)
        if found is None or found[1].doc != key.model_dump_json():
            return
        stored_key, row = found
        touched = key.model_copy(update={"last_used_at": used_at})
        self._state.tables[_TABLE][stored_key] = Row(
            touched.model_dump_json(), row.stored_at, row.cols
        )

    async def user_logins(self, email: str, *, org_id: str | None = None) -> list[UserLogin]:
        return memory_user_logins(self._state, email, org_id=org_id)

    async def user_by_email(self, org_id: str, email: str) -> User | None:
        return memory_user_by_email(self._state, org_id, email)

    async def refresh_token(self, jti: str) -> RefreshGrant | None:
        return memory_refresh_grant(self._state, jti)

    def _find(self, key_id: str) -> tuple[tuple[str, ...], Row] | None:
        for stored_key, row in self._state.tables[_TABLE].items():
            if stored_key[1] == key_id:
                return stored_key, row
        return None
