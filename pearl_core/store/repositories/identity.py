"""Orgs, teams, users and service accounts."""

from __future__ import annotations

from sqlalchemy import select

from pearl_core.domain.identity import Org, ServiceAccount, Team, User
from pearl_core.errors import AlreadyExists, Forbidden, NotFound, OrgNotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_new,
    parse,
    update_row,
)
from pearl_core.store.tables import orgs, service_accounts, teams, users

__all__ = [
    "SqlOrgRepository",
    "SqlServiceAccountRepository",
    "SqlTeamRepository",
    "SqlUserRepository",
]


def _require_own_org(scope: Scope, org_id: str) -> None:
    if org_id != scope.org_id:
        raise Forbidden("cannot store an object of another org", org_id=org_id)


class SqlOrgRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, org: Org) -> None:
        _require_own_org(self._scope, org.org_id)
        values = {"name": org.name, "created_at": org.created_at, "doc": dump(org)}
        if not await insert_new(self._scope, orgs, values):
            raise AlreadyExists("the org already exists", id=org.org_id)

    async def get(self) -> Org:
        doc = await fetch_doc(self._scope, select(orgs.c.doc).where(self._scope.owns(orgs)))
        if doc is None:
            raise OrgNotFound(self._scope.org_id)
        return parse(Org, doc)


class SqlTeamRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, team: Team) -> None:
        _require_own_org(self._scope, team.org_id)
        values = {
            "team_id": team.team_id,
            "name": team.name,
            "stored_at": self._scope.clock.now(),
            "doc": dump(team),
        }
        if not await insert_new(self._scope, teams, values):
            raise AlreadyExists("the team already exists", id=team.team_id)

    async def get(self, team_id: str) -> Team:
        statement = select(teams.c.doc).where(self._scope.owns(teams), teams.c.team_id == team_id)
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(team_id)
        return parse(Team, doc)

    async def list(self) -> list[Team]:
        statement = (
            select(teams.c.doc)
            .where(self._scope.owns(teams))
            .order_by(teams.c.stored_at, teams.c.team_id)
        )
        return [parse(Team, doc) for doc in await fetch_docs(self._scope, statement)]


class SqlUserRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, user: User) -> None:
        _require_own_org(self._scope, user.org_id)
        values = {
            "user_id": user.user_id,
            "email": user.email.lower(),
            "disabled": user.disabled,
            "stored_at": self._scope.clock.now(),
            "doc": dump(user),
        }
        if not await insert_new(self._scope, users, values):
            raise AlreadyExists("a user with this id or email exists", id=user.user_id)

    async def get(self, user_id: str) -> User:
        statement = select(users.c.doc).where(self._scope.owns(users), users.c.user_id == user_id)
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(user_id)
        return parse(User, doc)

    async def by_email(self, email: str) -> User | None:
        statement = select(users.c.doc).where(
            self._scope.owns(users), users.c.email == email.lower()
        )
        doc = await fetch_doc(self._scope, statement)
        return None if doc is None else parse(User, doc)

    async def list(self) -> list[User]:
        statement = (
            select(users.c.doc)
            .where(self._scope.owns(users))
            .order_by(users.c.stored_at, users.c.user_id)
        )
        return [parse(User, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, user: User) -> None:
        values = {"email": user.email.lower(), "disabled": user.disabled, "doc": dump(user)}
        if user.org_id != self._scope.org_id or not await update_row(
            self._scope, users, {"user_id": user.user_id}, values
        ):
            raise NotFound(user.user_id)


class SqlServiceAccountRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, account: ServiceAccount) -> None:
        _require_own_org(self._scope, account.org_id)
        values = {
            "service_account_id": account.service_account_id,
            "name": account.name,
            "disabled": account.disabled,
            "stored_at": self._scope.clock.now(),
            "doc": dump(account),
        }
        if not await insert_new(self._scope, service_accounts, values):
            raise AlreadyExists(
                "a service account with this id or name exists", id=account.service_account_id
            )

    async def get(self, service_account_id: str) -> ServiceAccount:
        table = service_accounts
        statement = select(table.c.doc).where(
            self._scope.owns(table), table.c.service_account_id == service_account_id
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(service_account_id)
        return parse(ServiceAccount, doc)

    async def by_name(self, name: str) -> ServiceAccount | None:
        table = service_accounts
        statement = select(table.c.doc).where(self._scope.owns(table), table.c.name == name)
        doc = await fetch_doc(self._scope, statement)
        return None if doc is None else parse(ServiceAccount, doc)

    async def list(self) -> list[ServiceAccount]:
        table = service_accounts
        statement = (
            select(table.c.doc)
            .where(self._scope.owns(table))
            .order_by(table.c.stored_at, table.c.service_account_id)
        )
        return [parse(ServiceAccount, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, account: ServiceAccount) -> None:
        values = {"name": account.name, "disabled": account.disabled, "doc": dump(account)}
        key = {"service_account_id": account.service_account_id}
        if account.org_id != self._scope.org_id or not await update_row(
            self._scope, service_accounts, key, values
        ):
            raise NotFound(account.service_account_id)
