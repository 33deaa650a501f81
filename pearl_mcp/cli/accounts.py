"""``pearl users``, ``pearl teams`` and ``pearl orgs``: the org's people, as an admin.

Managing users and teams needs an admin, and a human one: pass ``--user EMAIL``
(password from ``PEARL_PASSWORD`` or a prompt) to act as that user. Without
it a command acts as the local operator, which the services refuse
(``forbidden``): file access to the database never makes anyone an admin.
A user is named by email or id (``usr_…``), a team by name or id (``team_…``).
A new user's password, if they get one, comes from ``PEARL_NEW_USER_PASSWORD``
or a prompt asked twice; no password is ever printed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import click

from pearl_core import (
    Clock,
    NotFound,
    OrgStatus,
    Pearl,
    Principal,
    Role,
    Team,
    UnitOfWork,
    User,
    add_team_member,
    create_team,
    create_user,
    describe_org,
    disable_user,
    enable_user,
    list_teams,
    list_users,
    remove_team_member,
    set_password,
    set_user_roles,
)
from pearl_mcp.cli.acting import Actor, actor_option, read_secret, run_as
from pearl_mcp.cli.app import cli, emit, json_option
from pearl_mcp.cli.permissions import Permission, requires, self_service

__all__ = ["user_data"]

NEW_PASSWORD_ENV: Final = "PEARL_NEW_USER_PASSWORD"  # noqa: S105 - a variable name
_HUMAN_ROLES: Final = [r.value for r in Role if r is not Role.SERVICE_ACCOUNT]

_roles_option = click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(_HUMAN_ROLES),
    help="A role the user holds (repeat for several).",
)


def user_data(user: User) -> dict[str, Any]:
    """A user as JSON (a user record holds no secret: passwords live apart, hashed)."""
    return user.model_dump(mode="json")


def _user_line(user: User) -> str:
    state = "  disabled" if user.disabled else ""
    roles = ",".join(sorted(r.value for r in user.roles))
    return f"{user.user_id}  {user.email}  {roles}{state}"


async def _find_user(pearl: Pearl, principal: Principal, ref: str) -> User:
    wanted = ref.strip().casefold()
    for user in await list_users(pearl.unit_of_work(principal)):
        if user.user_id == ref or user.email.casefold() == wanted:
            return user
    raise NotFound(ref)


async def _find_team(pearl: Pearl, principal: Principal, ref: str) -> Team:
    for team in await list_teams(pearl.unit_of_work(principal)):
        if ref in (team.team_id, team.name):
            return team
    raise NotFound(ref)


# -- users -----------------------------------------------------------------------


@cli.group()
def users() -> None:
    """The org's users and their roles (admins only)."""


@users.command("create")
@requires(Permission.USERS_MANAGE)
@click.argument("email")
@click.option("--name", "display_name", default=None, help="Display name (default: the email).")
@_roles_option
@click.option(
    "--with-password",
    is_flag=True,
    help=f"Give the user a password now (from {NEW_PASSWORD_ENV} or a prompt).",
)
@actor_option
@json_option
@click.pass_context
def users_create(
    ctx: click.Context,
    email: str,
    display_name: str | None,
    roles: tuple[str, ...],
    with_password: bool,
    actor: Actor,
    as_json: bool,
) -> None:
    """Create a user of the org."""
    password = (
        read_secret(ctx, NEW_PASSWORD_ENV, f"New password for {email}", confirm=True)
        if with_password
        else None
    )

    async def work(pearl: Pearl, principal: Principal) -> User:
        return await create_user(
            pearl.unit_of_work(principal),
            email,
            display_name or email,
            roles,
            password,
            clock=pearl.clock,
        )

    created = run_as(ctx, actor, work)
    emit(user_data(created), as_json=as_json, text=_user_line(created))


@users.command("list")
@requires(Permission.USERS_MANAGE)
@actor_option
@json_option
@click.pass_context
def users_list(ctx: click.Context, actor: Actor, as_json: bool) -> None:
    """List the org's users, oldest first."""

    async def work(pearl: Pearl, principal: Principal) -> list[User]:
        return await list_users(pearl.unit_of_work(principal))

    found = run_as(ctx, actor, work)
    emit(
        [user_data(u) for u in found],
        as_json=as_json,
        text=lambda: "\n".join(_user_line(u) for u in found) or "no users",
    )


@users.command("set-roles")
@requires(Permission.USERS_MANAGE)
@click.argument("user")
@_roles_option
@actor_option
@json_option
@click.pass_context
def users_set_roles(
    ctx: click.Context, user: str, roles: tuple[str, ...], actor: Actor, as_json: bool
) -> None:
    """Replace USER's roles (never one's own; the last admin stays an admin)."""

    _change_user(
        ctx, actor, user, as_json, lambda uow, user_id, _: set_user_roles(uow, user_id, roles)
    )


@users.command("disable")
@requires(Permission.USERS_MANAGE)
@click.argument("user")
@actor_option
@json_option
@click.pass_context
def users_disable(ctx: click.Context, user: str, actor: Actor, as_json: bool) -> None:
    """Disable USER and end their sessions (never oneself, never the last admin)."""

    _change_user(
        ctx,
        actor,
        user,
        as_json,
        lambda uow, user_id, clock: disable_user(uow, user_id, clock=clock),
    )


@users.command("enable")
@requires(Permission.USERS_MANAGE)
@click.argument("user")
@actor_option
@json_option
@click.pass_context
def users_enable(ctx: click.Context, user: str, actor: Actor, as_json: bool) -> None:
    """Enable a disabled USER again."""

    _change_user(ctx, actor, user, as_json, lambda uow, user_id, _: enable_user(uow, user_id))


@users.command("set-password")
@self_service("one's own password needs the current one, another's users:manage")
@click.argument("user")
@actor_option
@click.pass_context
def users_set_password(ctx: click.Context, user: str, actor: Actor) -> None:
    """Set USER's password (new one from PEARL_NEW_USER_PASSWORD or a prompt) and end
    their sessions: an admin's act for others; for oneself, --user proves the current one."""
    new_password = read_secret(ctx, NEW_PASSWORD_ENV, f"New password for {user}", confirm=True)

    async def work(pearl: Pearl, principal: Principal) -> str:
        if actor.email is not None and user.strip().casefold() == actor.email.casefold():
            target_id, current = principal.subject_id, actor.password
        else:
            target_id, current = (await _find_user(pearl, principal, user)).user_id, None
        await set_password(
            pearl.unit_of_work(principal),
            target_id,
            new_password,
            current_password=current,
            clock=pearl.clock,
        )
        return target_id

    target_id = run_as(ctx, actor, work)
    click.echo(f"password set for {target_id}; their sessions ended")


# -- teams -----------------------------------------------------------------------


def _team_line(team: Team) -> str:
    return f"{team.team_id}  {team.name}"


def _change_user(
    ctx: click.Context,
    actor: Actor,
    user: str,
    as_json: bool,
    change: Callable[[UnitOfWork, str, Clock], Awaitable[User]],
) -> None:
    """Find USER (email or id) as the actor, apply ``change`` to it, print the result."""

    async def work(pearl: Pearl, principal: Principal) -> User:
        target = await _find_user(pearl, principal, user)
        return await change(pearl.unit_of_work(principal), target.user_id, pearl.clock)

    changed = run_as(ctx, actor, work)
    emit(user_data(changed), as_json=as_json, text=_user_line(changed))


@cli.group()
def teams() -> None:
    """The org's teams and their members (admins only)."""


@teams.command("create")
@requires(Permission.USERS_MANAGE)
@click.argument("name")
@actor_option
@json_option
@click.pass_context
def teams_create(ctx: click.Context, name: str, actor: Actor, as_json: bool) -> None:
    """Create a team."""

    async def work(pearl: Pearl, principal: Principal) -> Team:
        return await create_team(pearl.unit_of_work(principal), name, clock=pearl.clock)

    created = run_as(ctx, actor, work)
    emit(created.model_dump(mode="json"), as_json=as_json, text=_team_line(created))


@teams.command("list")
@requires(Permission.USERS_MANAGE)
@actor_option
@json_option
@click.pass_context
def teams_list(ctx: click.Context, actor: Actor, as_json: bool) -> None:
    """List the org's teams."""

    async def work(pearl: Pearl, principal: Principal) -> list[Team]:
        return await list_teams(pearl.unit_of_work(principal))

    found = run_as(ctx, actor, work)
    emit(
        [t.model_dump(mode="json") for t in found],
        as_json=as_json,
        text=lambda: "\n".join(_team_line(t) for t in found) or "no teams",
    )


def _change_membership(
    ctx: click.Context, team: str, user: str, actor: Actor, *, member: bool, as_json: bool
) -> None:
    change = add_team_member if member else remove_team_member

    async def work(pearl: Pearl, principal: Principal) -> User:
        found_team = await _find_team(pearl, principal, team)
        found_user = await _find_user(pearl, principal, user)
        return await change(pearl.unit_of_work(principal), found_team.team_id, found_user.user_id)

    changed = run_as(ctx, actor, work)
    emit(
        user_data(changed),
        as_json=as_json,
        text=f"{changed.email}  teams {', '.join(changed.team_ids) or '-'}",
    )


@teams.command("add-member")
@requires(Permission.USERS_MANAGE)
@click.argument("team")
@click.argument("user")
@actor_option
@json_option
@click.pass_context
def teams_add_member(ctx: click.Context, team: str, user: str, actor: Actor, as_json: bool) -> None:
    """Add USER to TEAM (nothing changes if they are on it)."""
    _change_membership(ctx, team, user, actor, member=True, as_json=as_json)


@teams.command("remove-member")
@requires(Permission.USERS_MANAGE)
@click.argument("team")
@click.argument("user")
@actor_option
@json_option
@click.pass_context
def teams_remove_member(
    ctx: click.Context, team: str, user: str, actor: Actor, as_json: bool
) -> None:
    """Take USER off TEAM (nothing changes if they are not on it)."""
    _change_membership(ctx, team, user, actor, member=False, as_json=as_json)


# -- orgs ------------------------------------------------------------------------


@cli.group()
def orgs() -> None:
    """The org this CLI works in (PEARL_ORG_ID)."""


@orgs.command("show")
@requires(Permission.POLICY_READ)
@actor_option
@json_option
@click.pass_context
def orgs_show(ctx: click.Context, actor: Actor, as_json: bool) -> None:
    """Show the org: its name, projects and audit chain head."""

    async def work(pearl: Pearl, principal: Principal) -> OrgStatus:
        return await describe_org(pearl.unit_of_work(principal))

    status = run_as(ctx, actor, work)
    org = status.org
    data = {
        **org.model_dump(mode="json"),
        "project_count": status.project_count,
        "audit_events": status.audit_events,
        "audit_head_hash": status.audit_head_hash,
        "baseline_id": None if status.baseline is None else status.baseline.baseline_id,
    }
    emit(
        data,
        as_json=as_json,
        text=lambda: "\n".join(
            (
                f"{org.org_id}  {org.name}",
                f"created   {org.created_at:%Y-%m-%dT%H:%M:%SZ}",
                f"projects  {status.project_count}",
                f"audit     {status.audit_events} event(s)",
            )
        ),
    )
