"""Signing in to a PeaRL server: ``/auth/login``, ``/auth/refresh``, ``/auth/logout``
and the issuer's public keys at ``/.well-known/jwks.json``.

These are the only routes that take a secret in the body instead of a bearer
credential, so they are open; each answers with an OAuth 2 style token
response (RFC 6749 §5.1) or a PeaRL ``ErrorResponse``:

- ``POST /auth/login`` ``{"email", "password", "org_id"?}``: a human's password
  → a new session (``pearl login`` calls it). Every refusal is the same 401.
  After ``MAX_FAILURES`` failed sign-ins for one email from one client address
  within ``FAILURE_WINDOW`` (or ``MAX_FAILURES_PER_EMAIL`` from anywhere) that
  email is refused with 429 ``limit_exceeded`` until the window passes
  (counted per process: behind several replicas, per replica; behind a proxy,
  run uvicorn with ``--proxy-headers`` so the client address is the caller's).
- ``POST /auth/refresh`` ``{"refresh_token"}``: the next pair of the session;
  a refresh token presented twice ends the whole session (reuse detection).
- ``POST /auth/logout`` ``{"refresh_token"}``: ends the session.

Bodies are JSON objects of at most 16 KiB. Nothing here logs or echoes a
password or token.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pearl_core import (
    LimitExceeded,
    PearlError,
    SessionTokens,
    TokenIssuer,
    ValidationFailed,
    authenticate_password,
    refresh_session,
    revoke_session,
    start_session,
)
from pearl_mcp.http_auth import Refused
from pearl_mcp.rest.errors import error_response
from pearl_mcp.runtime import Runtime

__all__ = ["auth_routes"]

MAX_BODY: Final = 16 * 1024
MAX_FAILURES: Final = 10
MAX_FAILURES_PER_EMAIL: Final = 100
FAILURE_WINDOW: Final = 15 * 60.0
_NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _Failures:
    """Failed sign-ins in a sliding window (this process only): per email and
    client address, so a stranger's guesses lock out the stranger, and per email
    across all clients at ``MAX_FAILURES_PER_EMAIL``, against a distributed guess."""

    def __init__(self) -> None:
        self._seen: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)

    def locked(self, email: str, client: str) -> bool:
        return (
            len(self._recent(email, client)) >= MAX_FAILURES
            or len(self._recent(email, "*")) >= MAX_FAILURES_PER_EMAIL
        )

    def failed(self, email: str, client: str) -> None:
        now = time.monotonic()
        self._recent(email, client).append(now)
        self._recent(email, "*").append(now)

    def _recent(self, email: str, client: str) -> deque[float]:
        seen = self._seen[email.strip().casefold(), client]
        cutoff = time.monotonic() - FAILURE_WINDOW
        while seen and seen[0] < cutoff:
            seen.popleft()
        return seen


def auth_routes(
    runtime: Runtime, issuer: TokenIssuer, *, on_refused: Refused | None = None
) -> list[Route]:
    """The sign-in routes and the JWKS document of ``issuer``; ``on_refused`` hears
    of every failed sign-in, refresh and logout (to audit it)."""
    pearl = runtime.pearl
    auth = pearl.settings.auth
    store = pearl.store
    failures = _Failures()

    async def refuse(request: Request, exc: PearlError) -> JSONResponse:
        if on_refused is not None and exc.code in ("unauthenticated", "limit_exceeded"):
            await on_refused(request.scope)
        return _refused(exc)

    def tokens(session: SessionTokens) -> JSONResponse:
        body = {
            "access_token": session.access_token,
            "refresh_token": session.refresh_token,
            "token_type": session.token_type,
            "expires_in": session.expires_in,
        }
        return JSONResponse(body, headers=_NO_STORE)

    async def login(request: Request) -> Response:
        try:
            body = await _json_object(request)
            email = _text(body, "email")
            password = _text(body, "password")
            org_id = body.get("org_id")
            if org_id is not None and not isinstance(org_id, str):
                raise ValidationFailed("org_id must be a string", field="org_id")
            client = request.client.host if request.client else ""
            if failures.locked(email, client):
                raise LimitExceeded(
                    "too many failed sign-ins for this email; try again later",
                    reason="too_many_failures",
                )
            try:
                principal = await authenticate_password(
                    store.credentials, email, password, org_id=org_id
                )
            except PearlError:
                failures.failed(email, client)
                raise
            session = await start_session(
                store,
                issuer,
                principal,
                access_ttl=auth.access_ttl,
                refresh_ttl=auth.refresh_ttl,
                clock=pearl.clock,
            )
        except PearlError as exc:
            return await refuse(request, exc)
        return tokens(session)

    async def refresh(request: Request) -> Response:
        try:
            token = _text(await _json_object(request), "refresh_token")
            session = await refresh_session(
                store,
                issuer,
                token,
                access_ttl=auth.access_ttl,
                refresh_ttl=auth.refresh_ttl,
                clock=pearl.clock,
            )
        except PearlError as exc:
            return await refuse(request, exc)
        return tokens(session)

    async def logout(request: Request) -> Response:
        try:
            token = _text(await _json_object(request), "refresh_token")
            await revoke_session(store, issuer, token, clock=pearl.clock)
        except PearlError as exc:
            return await refuse(request, exc)
        return Response(status_code=204, headers=_NO_STORE)

    async def jwks(_: Request) -> Response:
        return JSONResponse(issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})

    return [
        Route("/auth/login", login, methods=["POST"]),
        Route("/auth/refresh", refresh, methods=["POST"]),
        Route("/auth/logout", logout, methods=["POST"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    ]


def _refused(exc: PearlError) -> JSONResponse:
    status = 429 if exc.details.get("reason") == "too_many_failures" else None
    # Sign-in refusals say which kind, never which part was wrong.
    details = {"reason": exc.details["reason"]} if "reason" in exc.details else None
    return error_response(exc.code, exc.message, details, status=status)


async def _json_object(request: Request) -> Mapping[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise LimitExceeded(f"the body is larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting like [[[[…
        raise ValidationFailed("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object")
    return body


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{name} is required", field=name)
    return value
