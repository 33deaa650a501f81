"""Who calls the REST app in these tests, and how a test names a contract schema check.

Send ``headers=AS["agent"]`` (or ``other_agent``, ``admin``, ``operator``,
``reviewer``, ``owner``: a reviewer who owns ``agent``, ``viewer``,
``stranger``: an admin of another org) to act as that principal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pearl_core import Role
from pearl_core.testing import make_agent, make_human_reviewer, make_principal
from pearl_mcp.http_auth import StaticTokens

__all__ = ["AS", "ORG", "PRINCIPALS", "TOKENS", "Contract"]

ORG = "org_rest"
AGENT = make_agent(org_id=ORG)
PRINCIPALS = {
    "admin": make_principal(org_id=ORG, roles={Role.ADMIN}),
    "operator": make_principal(org_id=ORG, roles={Role.OPERATOR}),
    "reviewer": make_human_reviewer(org_id=ORG),
    "viewer": make_principal(org_id=ORG, roles={Role.VIEWER}),
    "agent": AGENT,
    "other_agent": make_agent(org_id=ORG),
    "owner": make_human_reviewer(org_id=ORG, subject_id=str(AGENT.owner_user_id)),
    "stranger": make_principal(org_id="org_elsewhere", roles={Role.ADMIN}),
}
AS = {name: {"Authorization": f"Bearer token-{name}"} for name in PRINCIPALS}
TOKENS = StaticTokens({f"token-{name}": p for name, p in PRINCIPALS.items()})

Contract = Callable[[str | dict[str, Any], Any], list[str]]
"""``contract(schema, payload)``: the errors of ``payload`` against a contract schema."""
