"""The permission table and ``authorize``: roles, humans-only, and credential scopes."""

from __future__ import annotations

import pytest

from pearl_core.authz import PERMISSIONS, Permission, authorize, service_account_permissions
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.errors import Forbidden, HumanRequired
from pearl_core.testing import make_agent, make_principal


def test_every_permission_is_granted_by_some_role() -> None:
    assert set(PERMISSIONS) == set(Permission)


def test_operators_and_admins_manage_service_accounts_but_agents_never_do() -> None:
    authorize(make_principal(roles={Role.OPERATOR}), Permission.SERVICE_ACCOUNTS_MANAGE)
    authorize(make_principal(roles={Role.ADMIN}), Permission.SERVICE_ACCOUNTS_MANAGE)

    with pytest.raises(Forbidden):
        authorize(make_principal(roles={Role.VIEWER}), Permission.SERVICE_ACCOUNTS_MANAGE)
    with pytest.raises(HumanRequired):
        authorize(make_agent(), Permission.SERVICE_ACCOUNTS_MANAGE)
    with pytest.raises(HumanRequired):
        authorize(
            make_principal(kind=PrincipalKind.SYSTEM, roles={Role.OPERATOR}),
            Permission.SERVICE_ACCOUNTS_MANAGE,
        )


def test_a_scoped_principal_may_use_only_its_scopes() -> None:
    agent = make_agent(scopes=frozenset({Permission.PACKETS_READ}))

    authorize(agent, Permission.PACKETS_READ)
    with pytest.raises(Forbidden) as caught:
        authorize(agent, Permission.PACKETS_WORK)
    assert caught.value.code == "insufficient_scope"
    assert caught.value.details == {"permission": "packets:work"}


def test_scopes_never_grant_what_the_roles_do_not() -> None:
    agent = make_agent(scopes=frozenset({Permission.FINDINGS_INGEST}))

    with pytest.raises(Forbidden) as caught:
        authorize(agent, Permission.FINDINGS_INGEST)
    assert caught.value.code == "forbidden"


def test_service_accounts_may_use_only_what_their_roles_grant_and_nothing_human_only() -> None:
    granted = service_account_permissions(frozenset({Role.SERVICE_ACCOUNT}))

    assert Permission.PACKETS_WORK in granted
    assert Permission.APPROVALS_REQUEST in granted
    assert Permission.FINDINGS_INGEST not in granted
    assert Permission.APPROVALS_DECIDE not in granted
    assert Permission.SERVICE_ACCOUNTS_MANAGE not in granted
    ci = service_account_permissions(frozenset({Role.SERVICE_ACCOUNT, Role.OPERATOR}))
    assert Permission.FINDINGS_INGEST in ci
    assert Permission.SERVICE_ACCOUNTS_MANAGE not in ci
