"""Human accounts: the first admin, users, roles, teams, passwords, and signing in.

Admins (``users:manage``, humans only) create users, set their roles, disable
and re-enable them, and manage teams and memberships. Rules that hold whatever
the caller:

* nobody changes their own roles or disables themselves;
* an org always keeps an enabled admin: the last one can be neither demoted
  nor disabled (``conflict``, ``reason="last_admin"``);
* only humans hold reviewer or admin (a :class:`User` is a human; service
  accounts are :mod:`pearl_core.services.credentials`'s);
* every change is audited by the acting principal; a password, or its hash,
  never appears in an audit event, an error or a log.

Checks that span rows (the last admin, the first admin) run with the org's
audit chain head locked (``uow.audit.head()``), so concurrent changes of one
org are serialised on every store.

:func:`authenticate_password` is what a login endpoint calls. Every failure
(unknown email, wrong password, no password set, disabled user) costs one
lookup and one scrypt run and raises the same ``unauthenticated`` error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Org, Principal, Team, User
from pearl_core.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    HumanRequired,
    InvalidTransition,
    OrgNotFound,
    Unauthenticated,
    ValidationFailed,
)
from pearl_core.ids import new_id
from pearl_core.ports import CredentialLookup, SessionStore, UnitOfWork, UserLogin
from pearl_core.services._passwords import (
    hash_password_async,
    require_valid_password,
    verify_password_async,
)
from pearl_core.validation import parse

__all__ = [
    "add_team_member",
    "authenticate_password",
    "bootstrap_admin",
    "create_team",
    "create_user",
    "disable_user",
    "enable_user",
    "list_teams",
    "list_users",
    "principal_for_user",
    "remove_team_member",
    "set_password",
    "set_user_roles",
]

_MANAGE = Permission.USERS_MANAGE
_MAX_EMAIL: Final = 320


async def bootstrap_admin(
    store: SessionStore,
    *,
    org_id: str,
    org_name: str,
    email: str,
    display_name: str,
    password: str,
    clock: Clock,
) -> User:
    """Create the org (if missing) and its first admin, in one transaction, as PeaRL.

    ``already_exists`` (``reason="admin_exists"``) once the org has an admin:
    from then on admins create users. There is no default credential: the
    password is the caller's (``validation_failed`` unless 12 to 1024 characters).
    """
    org = parse(Org, {"org_id": org_id, "name": org_name, "created_at": clock.now()})
    admin = _new_user(org.org_id, email, display_name, [Role.ADMIN], clock)
    password_hash = await hash_password_async(password)
    async with store.unit_of_work(Principal.system(org.org_id, "bootstrap")) as uow:
        await uow.audit.head()
        try:
            await uow.orgs.get()
        except OrgNotFound:
            await uow.orgs.add(org)
            await uow.audit.record(
                "org.created",
                resource_type="org",
                resource_id=org.org_id,
                details={"name": org.name},
            )
        if any(Role.ADMIN in user.roles for user in await uow.users.list()):
            raise AlreadyExists(
                "the org has an admin already", id=org.org_id, reason="admin_exists"
            )
        await uow.users.add(admin)
        await uow.passwords.set_password_hash(admin.user_id, password_hash)
        await _audit_created(uow, admin, has_password=True)
        await uow.commit()
    return admin


async def create_user(
    uow: UnitOfWork,
    email: str,
    display_name: str,
    roles: Iterable[Role | str],
    password: str | None = None,
    *,
    clock: Clock,
) -> User:
    """A new user of the org (``already_exists`` if the email is taken there).

    Without ``password`` the user cannot sign in with one until it is set.
    """
    authorize(uow.principal, _MANAGE)
    user = _new_user(uow.principal.org_id, email, display_name, roles, clock)
    password_hash = None if password is None else await hash_password_async(password)
    async with uow:
        await uow.users.add(user)
        if password_hash is not None:
            await uow.passwords.set_password_hash(user.user_id, password_hash)
        await _audit_created(uow, user, has_password=password_hash is not None)
        await uow.commit()
    return user


async def list_users(uow: UnitOfWork) -> list[User]:
    """The org's users, oldest first."""
    authorize(uow.principal, _MANAGE)
    async with uow.reading():
        return await uow.users.list()


async def set_user_roles(uow: UnitOfWork, user_id: str, roles: Iterable[Role | str]) -> User:
    """Replace a user's roles. ``forbidden`` (``reason="self_role_change"``) for one's
    own, ``conflict`` (``reason="last_admin"``) for demoting the last admin."""
    authorize(uow.principal, _MANAGE)
    wanted = _roles(roles)
    if user_id == uow.principal.subject_id:
        raise Forbidden("nobody may change their own roles", reason="self_role_change")
    async with uow:
        await uow.audit.head()
        user = await uow.users.get(user_id)
        if user.roles == wanted:
            return user
        if Role.ADMIN in user.roles and Role.ADMIN not in wanted:
            await _require_another_admin(uow, user)
        changed = user.model_copy(update={"roles": wanted})
        await uow.users.update(changed)
        await uow.audit.record(
            "user.roles_changed",
            resource_type="user",
            resource_id=user_id,
            details={"before": _sorted(user.roles), "after": _sorted(wanted)},
        )
        await uow.commit()
    return changed


async def disable_user(uow: UnitOfWork, user_id: str, *, clock: Clock) -> User:
    """Disable a user and end every session of theirs. ``forbidden``
    (``reason="self_disable"``) for oneself, ``conflict`` (``reason="last_admin"``)
    for the last admin, ``invalid_transition`` if already disabled."""
    authorize(uow.principal, _MANAGE)
    if user_id == uow.principal.subject_id:
        raise Forbidden("nobody may disable themselves", reason="self_disable")
    async with uow:
        await uow.audit.head()
        user = await uow.users.get(user_id)
        if user.disabled:
            raise InvalidTransition("the user is disabled already", id=user_id)
        if Role.ADMIN in user.roles:
            await _require_another_admin(uow, user)
        disabled = user.model_copy(update={"disabled": True})
        await uow.users.update(disabled)
        ended = await uow.refresh_tokens.revoke_subject(user_id, at=clock.now())
        await uow.audit.record(
            "user.disabled",
            resource_type="user",
            resource_id=user_id,
            details={"sessions_revoked": ended},
        )
        await uow.commit()
    return disabled


async def enable_user(uow: UnitOfWork, user_id: str) -> User:
    """Enable a disabled user again; ``invalid_transition`` if not disabled."""
    authorize(uow.principal, _MANAGE)
    async with uow:
        user = await uow.users.get(user_id)
        if not user.disabled:
            raise InvalidTransition("the user is not disabled", id=user_id)
        enabled = user.model_copy(update={"disabled": False})
        await uow.users.update(enabled)
        await uow.audit.record("user.enabled", resource_type="user", resource_id=user_id)
        await uow.commit()
    return enabled


async def create_team(uow: UnitOfWork, name: str, *, clock: Clock) -> Team:
    """A new team of the org; ``already_exists`` if the org has a team of that name."""
    authorize(uow.principal, _MANAGE)
    team = parse(
        Team,
        {
            "team_id": new_id("team"),
            "org_id": uow.principal.org_id,
            "name": name,
            "created_at": clock.now(),
        },
    )
    async with uow:
        await uow.audit.head()
        if any(other.name == team.name for other in await uow.teams.list()):
            raise AlreadyExists("the org has a team of that name", name=team.name)
        await uow.teams.add(team)
        await uow.audit.record(
            "team.created",
            resource_type="team",
            resource_id=team.team_id,
            details={"name": team.name},
        )
        await uow.commit()
    return team


async def list_teams(uow: UnitOfWork) -> list[Team]:
    authorize(uow.principal, _MANAGE)
    async with uow.reading():
        return await uow.teams.list()


async def add_team_member(uow: UnitOfWork, team_id: str, user_id: str) -> User:
    """Make the user a member of the team (nothing changes if they are one);
    ``not_found`` for an unknown team or user."""
    return await _change_membership(uow, team_id, user_id, member=True)


async def remove_team_member(uow: UnitOfWork, team_id: str, user_id: str) -> User:
    """Take the user off the team (nothing changes if they are not on it)."""
    return await _change_membership(uow, team_id, user_id, member=False)


async def set_password(
    uow: UnitOfWork,
    user_id: str,
    new_password: str,
    *,
    current_password: str | None = None,
    clock: Clock,
) -> None:
    """Set a user's password and end every session of theirs.

    One's own password needs ``current_password`` (``forbidden``,
    ``reason="current_password_mismatch"`` when it is missing or wrong); anyone
    else's needs ``users:manage``. Humans only (``human_required``); a disabled
    user cannot change their own (``forbidden``, ``reason="user_disabled"``).
    """
    principal = uow.principal
    if not principal.is_human:
        raise HumanRequired("only humans have passwords", permission=str(_MANAGE))
    own = user_id == principal.subject_id
    if not own:
        authorize(principal, _MANAGE)
    require_valid_password(new_password)
    confirmed: str | None = None
    if own:
        confirmed = await _confirm_current(uow, user_id, current_password)
    new_hash = await hash_password_async(new_password)
    async with uow:
        await uow.audit.head()
        user = await uow.users.get(user_id)
        if own and user.disabled:
            raise Forbidden("the account is disabled", reason="user_disabled")
        if own and await uow.passwords.password_hash_for(user_id) != confirmed:
            raise Conflict("the password changed meanwhile; try again", id=user_id)
        await uow.passwords.set_password_hash(user_id, new_hash)
        ended = await uow.refresh_tokens.revoke_subject(user_id, at=clock.now())
        await uow.audit.record(
            "user.password_set",
            resource_type="user",
            resource_id=user_id,
            details={"by": "self" if own else "admin", "sessions_revoked": ended},
        )
        await uow.commit()


async def authenticate_password(
    lookup: CredentialLookup, email: str, password: str, *, org_id: str | None = None
) -> Principal:
    """The human principal ``email`` and ``password`` sign in as.

    ``org_id`` narrows the search when the email has a password in several orgs;
    without it the password decides which account signs in (two accounts with
    the same password are refused alike). Every refusal is the same
    ``unauthenticated`` (``reason="invalid_credentials"``).
    """
    logins: list[UserLogin] = []
    if 0 < len(email) <= _MAX_EMAIL:
        logins = await lookup.user_logins(email.strip(), org_id=org_id)
    # One email may have a password in several orgs (another org's admin can create
    # the same address): the password picks the account, so nobody can lock a user
    # out by reusing their email elsewhere. Every candidate costs one scrypt run.
    if not logins:
        await verify_password_async(password, None)  # the same work as a real check
    matched = [
        login for login in logins if await verify_password_async(password, login.password_hash)
    ]
    if len(matched) != 1 or matched[0].user.disabled:
        raise Unauthenticated("the email or password is wrong", reason="invalid_credentials")
    return principal_for_user(matched[0].user)


def principal_for_user(user: User) -> Principal:
    """The human principal acting as ``user``, with the roles of the user record."""
    return Principal(
        org_id=user.org_id,
        subject_id=user.user_id,
        kind=PrincipalKind.HUMAN,
        roles=user.roles,
        display_name=user.display_name,
    )


# -- helpers -------------------------------------------------------------------


def _new_user(
    org_id: str, email: str, display_name: str, roles: Iterable[Role | str], clock: Clock
) -> User:
    return parse(
        User,
        {
            "user_id": new_id("usr"),
            "org_id": org_id,
            "email": email.strip(),
            "display_name": display_name,
            "roles": _roles(roles),
            "created_at": clock.now(),
        },
    )


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    """``roles`` as roles a human may hold; ``validation_failed`` otherwise."""
    try:
        wanted = frozenset(Role(role) for role in roles)
    except ValueError:
        raise ValidationFailed("unknown role", field="roles", reason="unknown_role") from None
    if not wanted:
        raise ValidationFailed("a user needs at least one role", field="roles", reason="no_roles")
    if Role.SERVICE_ACCOUNT in wanted:
        raise ValidationFailed(
            "a human user cannot hold the service_account role",
            field="roles",
            reason="service_account_role",
        )
    return wanted


def _sorted(roles: frozenset[Role]) -> list[str]:
    return sorted(role.value for role in roles)


async def _audit_created(uow: UnitOfWork, user: User, *, has_password: bool) -> None:
    await uow.audit.record(
        "user.created",
        resource_type="user",
        resource_id=user.user_id,
        details={
            "email": user.email,
            "display_name": user.display_name,
            "roles": _sorted(user.roles),
            "has_password": has_password,
        },
    )


async def _require_another_admin(uow: UnitOfWork, user: User) -> None:
    others = [
        other
        for other in await uow.users.list()
        if other.user_id != user.user_id and Role.ADMIN in other.roles and not other.disabled
    ]
    if not others:
        raise Conflict("the org's last admin must stay an enabled admin", reason="last_admin")


async def _confirm_current(uow: UnitOfWork, user_id: str, current_password: str | None) -> str:
    """The stored hash, once ``current_password`` matches it; ``forbidden`` otherwise."""
    async with uow.reading():
        stored = await uow.passwords.password_hash_for(user_id)
    matches = await verify_password_async(current_password or "", stored)
    if current_password is None or stored is None or not matches:
        raise Forbidden(
            "the current password is missing or wrong", reason="current_password_mismatch"
        )
    return stored


async def _change_membership(uow: UnitOfWork, team_id: str, user_id: str, *, member: bool) -> User:
    authorize(uow.principal, _MANAGE)
    async with uow:
        team = await uow.teams.get(team_id)
        user = await uow.users.get(user_id)
        if (team.team_id in user.team_ids) == member:
            return user
        team_ids = (
            (*user.team_ids, team.team_id)
            if member
            else tuple(other for other in user.team_ids if other != team.team_id)
        )
        changed = user.model_copy(update={"team_ids": team_ids})
        await uow.users.update(changed)
        await uow.audit.record(
            "team.member_added" if member else "team.member_removed",
            resource_type="team",
            resource_id=team.team_id,
            details={"user_id": user_id},
        )
        await uow.commit()
    return changed
