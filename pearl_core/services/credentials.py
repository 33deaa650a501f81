"""Service accounts and their API keys: create, mint, revoke, and authenticate.

Humans holding ``service_accounts:manage`` (operators and admins) create
service accounts, which they then own. Only the owner of an account, or an
admin, mints or revokes its keys; a key may be scoped to some of what the
account's roles grant, never more. Every change is audited; neither a secret
nor a digest ever appears in an audit event.

:func:`resolve_api_key` is what a server calls per request. Every failure
(malformed, unknown, wrong secret, revoked, expired, disabled account) returns
``None`` after the same work: one lookup by key id (a key id no key has, for a
malformed key) and one HMAC compared in constant time (against a dummy digest
when no key was found), so response times do not tell the failures apart.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from pearl_core.authz import Permission, authorize, service_account_permissions
from pearl_core.clock import Clock
from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal, ServiceAccount
from pearl_core.errors import (
    Forbidden,
    InvalidTransition,
    LimitExceeded,
    NotFound,
    ValidationFailed,
)
from pearl_core.ids import new_id
from pearl_core.ports import CredentialLookup, UnitOfWork
from pearl_core.services._api_key_format import (
    DUMMY_DIGEST,
    UNUSABLE,
    digest_secret,
    new_api_key,
    require_pepper,
    split_api_key,
)
from pearl_core.validation import parse

__all__ = [
    "DEFAULT_API_KEY_LIFETIME",
    "create_api_key",
    "create_service_account",
    "find_service_account",
    "list_api_keys",
    "list_service_accounts",
    "resolve_api_key",
    "revoke_api_key",
]

DEFAULT_API_KEY_LIFETIME: Final = timedelta(days=90)
TOUCH_INTERVAL: Final = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key, not on every request."""

_MANAGE = Permission.SERVICE_ACCOUNTS_MANAGE


async def create_service_account(uow: UnitOfWork, name: str, *, clock: Clock) -> ServiceAccount:
    """A new service account of the org, owned by the acting human.

    ``already_exists`` if the name is taken in the org.
    """
    authorize(uow.principal, _MANAGE)
    account = parse(
        ServiceAccount,
        {
            "service_account_id": new_id("sa"),
            "org_id": uow.principal.org_id,
            "name": name,
            "owner_user_id": uow.principal.subject_id,
            "created_at": clock.now(),
        },
    )
    async with uow:
        await uow.orgs.get()
        await uow.service_accounts.add(account)
        await uow.audit.record(
            "service_account.created",
            resource_type="service_account",
            resource_id=account.service_account_id,
            details={"name": account.name, "owner_user_id": account.owner_user_id},
        )
        await uow.commit()
    return account


async def find_service_account(uow: UnitOfWork, name: str) -> ServiceAccount:
    """The org's service account called ``name``; ``not_found`` if there is none."""
    authorize(uow.principal, _MANAGE)
    async with uow.reading():
        account = await uow.service_accounts.by_name(name)
    if account is None:
        raise NotFound(name)
    return account


async def list_service_accounts(uow: UnitOfWork) -> list[ServiceAccount]:
    authorize(uow.principal, _MANAGE)
    async with uow.reading():
        return await uow.service_accounts.list()


async def list_api_keys(uow: UnitOfWork, *, service_account_id: str | None = None) -> list[ApiKey]:
    """The org's API keys (of one service account, if given), oldest first."""
    authorize(uow.principal, _MANAGE)
    async with uow.reading():
        return await uow.api_keys.list(principal_id=service_account_id)


async def create_api_key(
    uow: UnitOfWork,
    service_account_id: str,
    *,
    name: str,
    scopes: Sequence[Permission],
    expires_in: timedelta,
    pepper: bytes,
    clock: Clock,
    max_lifetime: timedelta = DEFAULT_API_KEY_LIFETIME,
) -> tuple[ApiKey, str]:
    """Mint a key for a service account: the stored key, and the key itself.

    The key is returned once and never stored; only its digest is. Only the
    account's owner or an admin may mint (``forbidden``); ``scopes`` (empty:
    everything the account's roles grant) must be a subset of what they grant
    (``forbidden``); ``expires_in`` must be positive (``validation_failed``) and
    at most ``max_lifetime`` (``limit_exceeded``).
    """
    authorize(uow.principal, _MANAGE)
    pepper = require_pepper(pepper)
    if expires_in <= timedelta(0):
        raise ValidationFailed("an API key must expire in the future", field="expires_in")
    if expires_in > max_lifetime:
        raise LimitExceeded(
            "the API key would outlive the longest lifetime allowed",
            limit_days=max_lifetime.days,
        )
    wanted = tuple(dict.fromkeys(scopes))
    async with uow:
        account = await uow.service_accounts.get(service_account_id)
        _require_owner_or_admin(uow.principal, account)
        if account.disabled:
            raise Forbidden("the service account is disabled", id=account.service_account_id)
        beyond = set(wanted) - service_account_permissions(account.roles)
        if beyond:
            raise Forbidden(
                "scopes beyond what the service account's roles grant",
                scopes=sorted(str(scope) for scope in beyond),
            )
        shown, parts = new_api_key()
        now = clock.now()
        key = parse(
            ApiKey,
            {
                "key_id": parts.key_id,
                "org_id": account.org_id,
                "name": name,
                "principal_id": account.service_account_id,
                "scopes": wanted,
                "digest": digest_secret(pepper, parts),
                "created_by": uow.principal.subject_id,
                "created_at": now,
                "expires_at": now + expires_in,
            },
        )
        await uow.api_keys.add(key)
        await uow.audit.record(
            "api_key.created",
            resource_type="api_key",
            resource_id=key.key_id,
            details={
                "service_account_id": key.principal_id,
                "name": key.name,
                "scopes": [str(scope) for scope in key.scopes],
                "expires_at": key.expires_at.isoformat(),
            },
        )
        await uow.commit()
    return key, shown


async def revoke_api_key(uow: UnitOfWork, key_id: str, *, clock: Clock) -> ApiKey:
    """Revoke a key for good (owner of its account or an admin); ``invalid_transition``
    if it is revoked already."""
    authorize(uow.principal, _MANAGE)
    async with uow:
        key = await uow.api_keys.get(key_id)
        _require_owner_or_admin(uow.principal, await uow.service_accounts.get(key.principal_id))
        if key.revoked_at is not None:
            raise InvalidTransition("the API key is revoked already", id=key_id)
        revoked = key.model_copy(update={"revoked_at": clock.now()})
        await uow.api_keys.update(revoked)
        await uow.audit.record(
            "api_key.revoked",
            resource_type="api_key",
            resource_id=key_id,
            details={"service_account_id": key.principal_id},
        )
        await uow.commit()
    return revoked


async def resolve_api_key(
    lookup: CredentialLookup, credential: str, *, pepper: bytes, clock: Clock
) -> Principal | None:
    """The service-account principal ``credential`` stands for, or None.

    Every refusal takes the same path (see the module docstring). A key's
    ``scopes`` become the principal's, so :func:`~pearl_core.authz.authorize`
    holds it to them.
    """
    pepper = require_pepper(pepper)
    parts = split_api_key(credential)
    presented = UNUSABLE if parts is None else parts
    grant = await lookup.api_key(presented.key_id)
    expected = DUMMY_DIGEST if grant is None else grant.key.digest
    matches = hmac.compare_digest(digest_secret(pepper, presented), expected)
    now = clock.now()
    if grant is None or not (
        matches & (parts is not None) & grant.key.is_active(now) & (not grant.account.disabled)
    ):
        return None
    key, account = grant.key, grant.account
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
        await lookup.touch_api_key(key, now)
    return Principal(
        org_id=key.org_id,
        subject_id=account.service_account_id,
        kind=PrincipalKind.SERVICE_ACCOUNT,
        roles=account.roles,
        display_name=account.name,
        owner_user_id=account.owner_user_id,
        scopes=frozenset(key.scopes) or None,
    )


def _require_owner_or_admin(principal: Principal, account: ServiceAccount) -> None:
    is_admin = principal.is_human and Role.ADMIN in principal.roles
    if not (is_admin or account.owner_user_id == principal.subject_id):
        raise Forbidden(
            "only the service account's owner or an admin may manage its keys",
            id=account.service_account_id,
        )
