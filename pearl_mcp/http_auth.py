"""Authenticating HTTP requests (MCP over streamable HTTP and REST alike).

Every request carries ``Authorization: Bearer <credential>``. A
:class:`PrincipalResolver` turns the credential into a
:class:`~pearl_core.Principal` (or ``None``); the Starlette middleware from
:func:`auth_middleware` then puts the MCP SDK's ``AuthenticatedUser`` on the
request and in the SDK's auth context, so :func:`pearl_mcp.identity.current_principal`
answers in MCP tools and REST routes the same way. A request without a valid
credential reaches no handler: :func:`require_auth` answers 401 with an RFC 6750
``WWW-Authenticate`` header naming the protected-resource metadata (RFC 9728).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from pearl_core import Principal, new_trace_id
from pearl_mcp.identity import access_token_for

__all__ = [
    "BearerBackend",
    "PrincipalResolver",
    "Refused",
    "StaticTokens",
    "auth_middleware",
    "require_auth",
]


class PrincipalResolver(Protocol):
    """Turns a presented credential into the principal it stands for."""

    async def resolve(self, credential: str) -> Principal | None: ...


class StaticTokens:
    """A fixed credential → principal table (tests, and the in-process demo)."""

    def __init__(self, tokens: Mapping[str, Principal]) -> None:
        self._tokens = dict(tokens)

    async def resolve(self, credential: str) -> Principal | None:
        return self._tokens.get(credential)


class BearerBackend(AuthenticationBackend):
    """``Authorization: Bearer <credential>`` → the resolver's principal."""

    def __init__(self, resolver: PrincipalResolver) -> None:
        self._resolver = resolver

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        scheme, _, credential = conn.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return None
        principal = await self._resolver.resolve(credential.strip())
        if principal is None:
            return None
        access = access_token_for(principal, token="")  # never keep the credential around
        return AuthCredentials(access.scopes), AuthenticatedUser(access)


def auth_middleware(resolver: PrincipalResolver) -> list[Middleware]:
    """Middleware that authenticates every request and exposes the principal."""
    return [
        Middleware(AuthenticationMiddleware, backend=BearerBackend(resolver)),
        Middleware(AuthContextMiddleware),
    ]


Refused = Callable[[Scope], Awaitable[None]]
"""Called for each request refused for want of a valid credential (to audit it)."""


def require_auth(
    app: ASGIApp, *, resource_metadata_url: str | None = None, on_refused: Refused | None = None
) -> ASGIApp:
    """Wrap ``app`` so unauthenticated HTTP requests get 401 and never reach it."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or isinstance(scope.get("user"), AuthenticatedUser):
            await app(scope, receive, send)
            return
        if on_refused is not None:
            await on_refused(scope)
        challenge = 'Bearer error="invalid_token", error_description="Authentication required"'
        if resource_metadata_url:
            challenge += f', resource_metadata="{resource_metadata_url}"'
        trace_id = new_trace_id()
        body = json.dumps(
            {
                "schema_version": "1.1",
                "error": {
                    "code": "unauthenticated",
                    "message": "a valid bearer credential is required",
                    "trace_id": trace_id,
                    "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                },
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", challenge.encode()),
                    (b"x-trace-id", trace_id.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return guarded
