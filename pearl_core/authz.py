"""Who may do what: the permission table every entrypoint and service consults.

A permission maps to the roles that grant it. Service accounts hold only the
``service_account`` role (never reviewer or admin, enforced by
:class:`~pearl_core.domain.identity.Principal`), so no row that lists only
human roles can ever be reached by an agent. Admins hold every human
permission.

A principal authenticated by a scoped credential (an API key) carries
``scopes``: then it may use only those permissions, and only those its roles
grant as well.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from pearl_core.domain.enums import Role
from pearl_core.domain.identity import Principal
from pearl_core.domain.permissions import Permission
from pearl_core.errors import Forbidden, HumanRequired, InsufficientScope

__all__ = ["PERMISSIONS", "Permission", "authorize", "service_account_permissions"]


_V, _O, _R, _A, _S = Role.VIEWER, Role.OPERATOR, Role.REVIEWER, Role.ADMIN, Role.SERVICE_ACCOUNT

#: permission → roles that grant it. ``HUMAN_ONLY`` permissions also need a human.
PERMISSIONS: Final = MappingProxyType(
    {
        Permission.PROJECT_READ: frozenset({_V, _O, _R, _A, _S}),
        Permission.PROJECT_WRITE: frozenset({_O, _A}),
        Permission.POLICY_READ: frozenset({_V, _O, _R, _A, _S}),
        Permission.POLICY_WRITE: frozenset({_A}),
        Permission.AUDIT_READ: frozenset({_O, _R, _A}),
        Permission.ORG_ADMIN: frozenset({_A}),
        Permission.FINDINGS_READ: frozenset({_V, _O, _R, _A, _S}),
        # Scanner reports come from operators and, later, CI service accounts
        # holding the operator role; agents (service_account) never ingest.
        Permission.FINDINGS_INGEST: frozenset({_O, _A}),
        # Who may move a finding at all; which move is FINDING_LIFECYCLE's call
        # (agents reach in_progress and fix_submitted, only humans dispose).
        Permission.FINDINGS_TRIAGE: frozenset({_O, _R, _A, _S}),
        Permission.REMEDIATION_GENERATE: frozenset({_O, _A}),
        Permission.PACKETS_READ: frozenset({_V, _O, _R, _A, _S}),
        # Claiming, heartbeats, guard-rail checks and outcome reports: the
        # agents doing the work, and operators working a packet by hand.
        Permission.PACKETS_WORK: frozenset({_O, _S}),
        Permission.APPROVALS_READ: frozenset({_O, _R, _A, _S}),
        Permission.APPROVALS_REQUEST: frozenset({_O, _S}),
        # Deciding is a reviewer's, and a human's: never an agent's.
        Permission.APPROVALS_DECIDE: frozenset({_R}),
        # Creating service accounts and minting or revoking their API keys.
        Permission.SERVICE_ACCOUNTS_MANAGE: frozenset({_O, _A}),
        # Human accounts, teams and memberships: admins only.
        Permission.USERS_MANAGE: frozenset({_A}),
    }
)

HUMAN_ONLY: Final = frozenset(
    {
        Permission.POLICY_WRITE,
        Permission.ORG_ADMIN,
        Permission.APPROVALS_DECIDE,
        Permission.SERVICE_ACCOUNTS_MANAGE,
        Permission.USERS_MANAGE,
    }
)


def authorize(principal: Principal, permission: Permission) -> None:
    """Raise ``Forbidden`` unless ``principal`` holds ``permission``.

    ``HumanRequired`` when only a human may hold it; ``InsufficientScope`` when
    the principal's roles grant it but its credential's ``scopes`` do not.
    """
    if permission in HUMAN_ONLY and not principal.is_human:
        raise HumanRequired(f"{permission} needs a human principal", permission=str(permission))
    if not principal.has_role(*PERMISSIONS[permission]):
        raise Forbidden(f"missing permission {permission}", permission=str(permission))
    if principal.scopes is not None and permission not in principal.scopes:
        raise InsufficientScope(
            f"the credential is not scoped for {permission}", permission=str(permission)
        )


def service_account_permissions(roles: frozenset[Role]) -> frozenset[Permission]:
    """Every permission a service account holding ``roles`` may use (never a human-only one)."""
    return frozenset(
        permission
        for permission, granted in PERMISSIONS.items()
        if permission not in HUMAN_ONLY and granted & roles
    )
