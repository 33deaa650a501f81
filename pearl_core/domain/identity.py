"""Identity: orgs, teams, users, service accounts, and the acting principal.

Every service call is made *by* a :class:`Principal`; its ``org_id`` scopes
every repository, and its ``kind`` and ``roles`` decide what it may do. A
principal is built by the authentication layer (or the CLI for a local
operator), never from request parameters.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_serializer, model_validator

from pearl_core.domain.base import PearlModel, PearlRecord, UtcDatetime
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.permissions import Permission

__all__ = ["HUMAN_ONLY_ROLES", "Org", "Principal", "ServiceAccount", "Team", "User"]

#: Roles a service account (an agent, a CI job) can never hold.
HUMAN_ONLY_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})

OrgId = Annotated[str, Field(pattern=r"^org_[A-Za-z0-9_-]+$", max_length=128)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Org(PearlModel):
    org_id: OrgId
    name: Name
    created_at: UtcDatetime


class Team(PearlModel):
    team_id: Annotated[str, Field(pattern=r"^team_[A-Za-z0-9_-]+$", max_length=128)]
    org_id: OrgId
    name: Name
    created_at: UtcDatetime


class User(PearlModel):
    """A human. Only humans may hold ``reviewer`` or ``admin``."""

    user_id: Annotated[str, Field(pattern=r"^usr_[A-Za-z0-9_-]+$", max_length=128)]
    org_id: OrgId
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    display_name: Name
    roles: frozenset[Role] = frozenset({Role.VIEWER})
    team_ids: tuple[str, ...] = ()
    disabled: bool = False
    created_at: UtcDatetime

    @field_serializer("roles")
    def _roles_in_order(self, roles: frozenset[Role]) -> list[str]:
        return sorted(role.value for role in roles)

    @model_validator(mode="after")
    def _no_service_account_role(self) -> User:
        if Role.SERVICE_ACCOUNT in self.roles:
            raise ValueError("a human user cannot hold the service_account role")
        return self


class ServiceAccount(PearlModel):
    """A non-human actor: an AI agent or a CI job, owned by a human user."""

    service_account_id: Annotated[str, Field(pattern=r"^sa_[A-Za-z0-9_-]+$", max_length=128)]
    org_id: OrgId
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")]
    owner_user_id: str | None = None
    roles: frozenset[Role] = frozenset({Role.SERVICE_ACCOUNT})
    disabled: bool = False
    created_at: UtcDatetime

    @field_serializer("roles")
    def _roles_in_order(self, roles: frozenset[Role]) -> list[str]:
        return sorted(role.value for role in roles)

    @model_validator(mode="after")
    def _never_human_roles(self) -> ServiceAccount:
        forbidden = self.roles & HUMAN_ONLY_ROLES
        if forbidden:
            raise ValueError(f"service accounts cannot hold {sorted(forbidden)}")
        return self


class Principal(PearlRecord):
    """Who is acting: the subject every service call is made by and audited as."""

    org_id: OrgId
    subject_id: Annotated[str, Field(min_length=1, max_length=200)]
    kind: PrincipalKind
    roles: frozenset[Role]
    display_name: str = ""
    owner_user_id: str | None = None
    """For a service account: the human who owns it (cannot decide its requests)."""
    scopes: frozenset[Permission] | None = None
    """Set when a scoped credential (an API key) authenticated the principal: it may
    use only these permissions (and only those its roles grant). ``None``: no limit."""
    from_token: bool = False
    """Authenticated by a bearer token (PeaRL's or an identity provider's): a
    credential that can be copied and replayed, unlike a password just checked."""
    signed_in_at: UtcDatetime | None = None
    """For a token: when its human last proved who they are (the sign-in that
    minted it, the IdP's ``auth_time``); ``None`` when the token does not say
    (a refreshed token). Deciding approvals needs a recent one."""

    @model_validator(mode="after")
    def _service_accounts_never_human_roles(self) -> Principal:
        if self.kind is not PrincipalKind.HUMAN and self.roles & HUMAN_ONLY_ROLES:
            raise ValueError("only human principals may hold reviewer or admin")
        return self

    @property
    def is_human(self) -> bool:
        return self.kind is PrincipalKind.HUMAN

    def has_role(self, *roles: Role) -> bool:
        """True when the principal holds any of ``roles`` (admin holds all human roles)."""
        if Role.ADMIN in self.roles and self.is_human:
            return True
        return bool(self.roles.intersection(roles))

    @classmethod
    def system(cls, org_id: str, name: str = "pearl-system") -> Principal:
        """PeaRL acting on its own behalf (rescans, expiry sweeps, seeding)."""
        return cls(
            org_id=org_id,
            subject_id=f"system:{name}",
            kind=PrincipalKind.SYSTEM,
            roles=frozenset({Role.OPERATOR}),
            display_name=name,
        )
