"""``pearl agents``: service accounts for AI agents and CI, and their API keys.

The local operator creates an account (and owns it) and mints its keys. A key
is printed once, when it is minted, and never again: PeaRL keeps only its
digest. Key commands need ``PEARL_API_KEY_PEPPER`` (``configuration_error``
otherwise), the same pepper the server checks keys with. ``pearl keys`` and
``pearl service-accounts`` do the same as a signed-in user (``--user``), with
keys scoped to one role; both mint through :mod:`pearl_mcp.cli.minting`.
"""

from __future__ import annotations

import click

from pearl_core import (
    ApiKey,
    Pearl,
    Permission,
    ServiceAccount,
    create_service_account,
    find_service_account,
    list_api_keys,
    list_service_accounts,
    local_operator,
    revoke_api_key,
)
from pearl_mcp.cli.app import CliContext, cli, emit, json_option, run
from pearl_mcp.cli.minting import KEY_WARNING, key_data, mint, require_pepper
from pearl_mcp.cli.permissions import requires

_scope_option = click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice([p.value for p in Permission]),
    help="A permission the key may use (repeat; default: all the account's roles grant).",
)
_days_option = click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Days until the key expires (default and maximum: PEARL_API_KEY_MAX_DAYS).",
)
_key_name_option = click.option(
    "--key-name", default="default", show_default=True, help="A label for the key."
)


@cli.group()
def agents() -> None:
    """Service accounts for AI agents and CI, and their API keys."""


async def _mint(
    pearl: Pearl, account: ServiceAccount, key_name: str, scopes: tuple[str, ...], days: int | None
) -> tuple[ApiKey, str]:
    return await mint(
        pearl,
        local_operator(pearl.settings),
        account,
        name=key_name,
        scopes=[Permission(scope) for scope in scopes],
        days=days,
    )


def _show_minted(account: ServiceAccount, key: ApiKey, shown: str, *, as_json: bool) -> None:
    data = {
        "service_account": account.model_dump(mode="json"),
        "api_key": key_data(key),
        "key": shown,
    }
    emit(
        data,
        as_json=as_json,
        text=lambda: "\n".join(
            (
                f"{account.service_account_id}  {account.name}",
                f"key {key.key_id}  expires {key.expires_at.isoformat()}",
                shown,
            )
        ),
    )
    click.echo(KEY_WARNING, err=True)


@agents.command("create")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.argument("name")
@_scope_option
@_days_option
@_key_name_option
@json_option
@click.pass_context
def create(
    ctx: click.Context,
    name: str,
    scopes: tuple[str, ...],
    days: int | None,
    key_name: str,
    as_json: bool,
) -> None:
    """Create a service account owned by you, and its first API key."""
    require_pepper(ctx.ensure_object(CliContext).settings)  # refuse before creating anything

    async def work(pearl: Pearl) -> tuple[ServiceAccount, ApiKey, str]:
        operator = local_operator(pearl.settings)
        account = await create_service_account(
            pearl.unit_of_work(operator), name, clock=pearl.clock
        )
        key, shown = await _mint(pearl, account, key_name, scopes, days)
        return account, key, shown

    account, key, shown = run(ctx, work)
    _show_minted(account, key, shown, as_json=as_json)


@agents.command("key")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.argument("name")
@_scope_option
@_days_option
@_key_name_option
@json_option
@click.pass_context
def key(
    ctx: click.Context,
    name: str,
    scopes: tuple[str, ...],
    days: int | None,
    key_name: str,
    as_json: bool,
) -> None:
    """Mint another API key for the service account NAME."""
    require_pepper(ctx.ensure_object(CliContext).settings)

    async def work(pearl: Pearl) -> tuple[ServiceAccount, ApiKey, str]:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        account = await find_service_account(uow, name)
        minted, shown = await _mint(pearl, account, key_name, scopes, days)
        return account, minted, shown

    account, minted, shown = run(ctx, work)
    _show_minted(account, minted, shown, as_json=as_json)


@agents.command("list")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@json_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the org's service accounts and their keys (never the keys themselves)."""

    async def work(pearl: Pearl) -> tuple[list[ServiceAccount], list[ApiKey]]:
        operator = local_operator(pearl.settings)
        accounts = await list_service_accounts(pearl.unit_of_work(operator))
        return accounts, await list_api_keys(pearl.unit_of_work(operator))

    accounts, keys = run(ctx, work)
    by_account: dict[str, list[ApiKey]] = {}
    for api_key in keys:
        by_account.setdefault(api_key.principal_id, []).append(api_key)
    data = [
        {
            **account.model_dump(mode="json"),
            "api_keys": [key_data(k) for k in by_account.get(account.service_account_id, [])],
        }
        for account in accounts
    ]

    def text() -> str:
        lines = []
        for account in accounts:
            state = "disabled" if account.disabled else "enabled"
            lines.append(f"{account.service_account_id}  {account.name}  {state}")
            for k in by_account.get(account.service_account_id, []):
                status = "revoked" if k.revoked_at else f"expires {k.expires_at.isoformat()}"
                lines.append(f"  key {k.key_id}  {k.name}  {status}")
        return "\n".join(lines) or "no service accounts"

    emit(data, as_json=as_json, text=text)


@agents.command("revoke")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.argument("key_id")
@json_option
@click.pass_context
def revoke(ctx: click.Context, key_id: str, as_json: bool) -> None:
    """Revoke the API key KEY_ID for good."""

    async def work(pearl: Pearl) -> ApiKey:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await revoke_api_key(uow, key_id, clock=pearl.clock)

    revoked = run(ctx, work)
    emit(key_data(revoked), as_json=as_json, text=f"revoked {revoked.key_id}")
