"""Minting and showing API keys: what ``pearl agents`` and ``pearl keys`` share.

A key is printed once, when it is minted, and never again: PeaRL keeps only
its digest, and no command shows a digest. Minting needs
``PEARL_API_KEY_PEPPER`` (``configuration_error`` otherwise), the same pepper
the server checks keys with.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Final

from pearl_core import (
    ApiKey,
    ConfigurationError,
    Pearl,
    Permission,
    Principal,
    ServiceAccount,
    Settings,
    create_api_key,
)

__all__ = ["KEY_WARNING", "key_data", "mint", "require_pepper"]

KEY_WARNING: Final = (
    "pearl: this is the only time the key is shown; store it now (the agent reads it "
    "from PEARL_API_KEY or an Authorization: Bearer header)"
)


def require_pepper(settings: Settings) -> bytes:
    """The API key pepper; ``configuration_error`` naming ``PEARL_API_KEY_PEPPER`` if unset."""
    if settings.api_key_pepper is None:
        raise ConfigurationError(
            "set PEARL_API_KEY_PEPPER (a secret of at least 32 characters) to mint API keys",
            setting="PEARL_API_KEY_PEPPER",
        )
    return settings.api_key_pepper


async def mint(
    pearl: Pearl,
    principal: Principal,
    account: ServiceAccount,
    *,
    name: str,
    scopes: Iterable[Permission],
    days: int | None,
) -> tuple[ApiKey, str]:
    """A new key of ``account`` minted by ``principal`` (its owner or an admin), and the
    key itself; ``days`` defaults to the longest lifetime, ``PEARL_API_KEY_MAX_DAYS``."""
    settings = pearl.settings
    return await create_api_key(
        pearl.unit_of_work(principal),
        account.service_account_id,
        name=name,
        scopes=list(scopes),
        expires_in=timedelta(days=days or settings.api_key_max_days),
        pepper=require_pepper(settings),
        clock=pearl.clock,
        max_lifetime=settings.api_key_max_lifetime,
    )


def key_data(key: ApiKey) -> dict[str, Any]:
    """A stored key as JSON, without its digest."""
    return key.model_dump(mode="json", exclude={"digest"})
