"""``pearl service-accounts`` and ``pearl keys``: agents' and CI's accounts and API keys.

Operators and admins (``service_accounts:manage``, humans only) create service
accounts, which they then own; only an account's owner or an admin mints or
revokes its keys. Pass ``--user EMAIL`` (password from ``PEARL_PASSWORD`` or a
prompt) to act as that user; without it a command acts as the local operator,
as ``pearl agents`` does.

``keys create`` scopes a key to one ``--role`` the account holds: the key may
use what that role grants a service account, narrowed further by ``--scope``
(``forbidden`` for a role the account lacks or a scope beyond the role). The
key is printed once and never again; no command shows a secret or a digest.
"""

from __future__ import annotations

from typing import Any

import click

from pearl_core import (
    ApiKey,
    Forbidden,
    Pearl,
    Permission,
    Principal,
    PrincipalKind,
    Role,
    ServiceAccount,
    authorize,
    create_service_account,
    find_service_account,
    list_api_keys,
    list_service_accounts,
    revoke_api_key,
)
from pearl_mcp.cli.acting import Actor, actor_option, run_as
from pearl_mcp.cli.app import CliContext, cli, emit, json_option
from pearl_mcp.cli.minting import KEY_WARNING, key_data, mint, require_pepper
from pearl_mcp.cli.permissions import requires


def _account_line(account: ServiceAccount) -> str:
    a = account
    state = "  disabled" if a.disabled else ""
    roles = ",".join(sorted(r.value for r in a.roles))
    return f"{a.service_account_id}  {a.name}  {roles}  owner {a.owner_user_id}{state}"


def _key_line(key: ApiKey) -> str:
    status = "revoked" if key.revoked_at else f"expires {key.expires_at.isoformat()}"
    scopes = ",".join(str(s) for s in key.scopes) or "all"
    return f"{key.key_id}  {key.principal_id}  {key.name}  {status}  scopes {scopes}"


def role_permissions(account: ServiceAccount, role: Role) -> frozenset[Permission]:
    """What a key of ``account`` scoped to ``role`` may use: each permission the
    authorisation table grants a service account holding only ``role``.

    ``forbidden`` (``reason="role_not_held"``) unless the account holds ``role``.
    """
    if role not in account.roles:
        raise Forbidden(
            "the service account does not hold that role",
            id=account.service_account_id,
            role=str(role),
            reason="role_not_held",
        )
    holder = Principal(
        org_id=account.org_id,
        subject_id=account.service_account_id,
        kind=PrincipalKind.SERVICE_ACCOUNT,
        roles=frozenset({role}),
    )
    granted = set()
    for permission in Permission:
        try:
            authorize(holder, permission)
        except Forbidden:  # human_required is a forbidden too
            continue
        granted.add(permission)
    return frozenset(granted)


def key_scopes(account: ServiceAccount, role: Role, scopes: tuple[str, ...]) -> list[Permission]:
    """The scopes of a new key: ``scopes`` if all are within ``role``'s permissions
    (``forbidden`` otherwise), or all of the role's permissions."""
    allowed = role_permissions(account, role)
    wanted = [Permission(scope) for scope in scopes]
    beyond = sorted(str(scope) for scope in set(wanted) - allowed)
    if beyond:
        raise Forbidden("scopes beyond what the role grants", role=str(role), scopes=beyond)
    return wanted or sorted(allowed)


# -- service accounts ------------------------------------------------------------


@cli.group("service-accounts")
def service_accounts() -> None:
    """Service accounts for AI agents and CI (operators and admins)."""


@service_accounts.command("create")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.argument("name")
@actor_option
@json_option
@click.pass_context
def service_accounts_create(ctx: click.Context, name: str, actor: Actor, as_json: bool) -> None:
    """Create the service account NAME, owned by you (mint its keys with pearl keys create)."""

    async def work(pearl: Pearl, principal: Principal) -> ServiceAccount:
        return await create_service_account(pearl.unit_of_work(principal), name, clock=pearl.clock)

    created = run_as(ctx, actor, work)
    emit(created.model_dump(mode="json"), as_json=as_json, text=_account_line(created))


@service_accounts.command("list")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@actor_option
@json_option
@click.pass_context
def service_accounts_list(ctx: click.Context, actor: Actor, as_json: bool) -> None:
    """List the org's service accounts."""

    async def work(pearl: Pearl, principal: Principal) -> list[ServiceAccount]:
        return await list_service_accounts(pearl.unit_of_work(principal))

    found = run_as(ctx, actor, work)
    emit(
        [a.model_dump(mode="json") for a in found],
        as_json=as_json,
        text=lambda: "\n".join(_account_line(a) for a in found) or "no service accounts",
    )


# -- keys ------------------------------------------------------------------------


@cli.group()
def keys() -> None:
    """API keys of service accounts (their owners and admins)."""


@keys.command("create")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.option("--service-account", "account_name", required=True, help="The account's name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role the account holds; the key may use what it grants.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice([p.value for p in Permission]),
    help="Narrow the key to this permission of the role (repeat; default: all of them).",
)
@click.option(
    "--expires",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="Days until the key expires (default and maximum: PEARL_API_KEY_MAX_DAYS).",
)
@click.option("--name", "key_name", default="default", show_default=True, help="A label.")
@actor_option
@json_option
@click.pass_context
def keys_create(
    ctx: click.Context,
    account_name: str,
    role: str,
    scopes: tuple[str, ...],
    days: int | None,
    key_name: str,
    actor: Actor,
    as_json: bool,
) -> None:
    """Mint an API key for a service account; it is shown this once."""
    require_pepper(ctx.ensure_object(CliContext).settings)

    async def work(pearl: Pearl, principal: Principal) -> tuple[ApiKey, str]:
        account = await find_service_account(pearl.unit_of_work(principal), account_name)
        wanted = key_scopes(account, Role(role), scopes)
        return await mint(pearl, principal, account, name=key_name, scopes=wanted, days=days)

    minted, shown = run_as(ctx, actor, work)
    data: dict[str, Any] = {
        "key": shown,
        "key_id": minted.key_id,
        "service_account_id": minted.principal_id,
        "scopes": [str(s) for s in minted.scopes],
        "expires_at": minted.expires_at.isoformat(),
    }
    emit(data, as_json=as_json, text=lambda: f"{_key_line(minted)}\n{shown}")
    click.echo(KEY_WARNING, err=True)


@keys.command("list")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.option("--service-account", "account_name", default=None, help="Only this account's.")
@actor_option
@json_option
@click.pass_context
def keys_list(ctx: click.Context, account_name: str | None, actor: Actor, as_json: bool) -> None:
    """List API keys (never a key or its digest), oldest first."""

    async def work(pearl: Pearl, principal: Principal) -> list[ApiKey]:
        account_id = None
        if account_name is not None:
            account = await find_service_account(pearl.unit_of_work(principal), account_name)
            account_id = account.service_account_id
        return await list_api_keys(pearl.unit_of_work(principal), service_account_id=account_id)

    found = run_as(ctx, actor, work)
    emit(
        [key_data(k) for k in found],
        as_json=as_json,
        text=lambda: "\n".join(_key_line(k) for k in found) or "no API keys",
    )


@keys.command("revoke")
@requires(Permission.SERVICE_ACCOUNTS_MANAGE)
@click.argument("key_id")
@actor_option
@json_option
@click.pass_context
def keys_revoke(ctx: click.Context, key_id: str, actor: Actor, as_json: bool) -> None:
    """Revoke the API key KEY_ID for good."""

    async def work(pearl: Pearl, principal: Principal) -> ApiKey:
        return await revoke_api_key(pearl.unit_of_work(principal), key_id, clock=pearl.clock)

    revoked = run_as(ctx, actor, work)
    emit(key_data(revoked), as_json=as_json, text=f"revoked {revoked.key_id}")
