"""Who is calling: one answer for MCP tools, REST routes, stdio and tests.

Transports authenticate first (HTTP: the bearer token or API key, checked by
the server's token verifier; stdio: the key in the environment) and put an
:class:`~mcp.server.auth.provider.AccessToken` in the MCP SDK's auth context,
its ``claims["pearl_principal"]`` holding the resolved
:class:`~pearl_core.Principal` object (the token never leaves the process). Handlers read it with
:func:`current_principal`; nothing else decides identity, and a call without
one is ``unauthenticated``. :func:`acting_as` sets it for a block of code
(stdio sessions, the in-process demo agent, tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mcp.server.auth.middleware.auth_context import auth_context_var, get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from pearl_core import Principal, Unauthenticated

__all__ = ["access_token_for", "acting_as", "current_principal", "principal_of"]

_CLAIM = "pearl_principal"


def access_token_for(
    principal: Principal,
    *,
    token: str = "",
    scopes: list[str] | None = None,
    expires_at: int | None = None,
) -> AccessToken:
    """The auth-context token that makes ``principal`` the caller."""
    claims: dict[str, Any] = {_CLAIM: principal}
    return AccessToken(
        token=token,
        client_id=principal.subject_id,
        subject=principal.subject_id,
        scopes=scopes if scopes is not None else ["pearl"],
        expires_at=expires_at,
        claims=claims,
    )


def principal_of(token: AccessToken | None) -> Principal | None:
    """The principal an auth-context token carries, if any."""
    if token is None or not token.claims:
        return None
    principal = token.claims.get(_CLAIM)
    return principal if isinstance(principal, Principal) else None


def current_principal() -> Principal:
    """The authenticated caller of this request; ``unauthenticated`` if there is none."""
    principal = principal_of(get_access_token())
    if principal is None:
        raise Unauthenticated("this call needs an authenticated principal")
    return principal


@contextmanager
def acting_as(principal: Principal) -> Iterator[AccessToken]:
    """Make ``principal`` the caller for the code inside the block."""
    access = access_token_for(principal)
    reset = auth_context_var.set(AuthenticatedUser(access))
    try:
        yield access
    finally:
        auth_context_var.reset(reset)
