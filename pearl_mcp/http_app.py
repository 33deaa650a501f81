"""The one HTTP app ``pearl serve`` runs: MCP at ``/mcp``, REST at ``/api/v1``,
``/healthz`` (the process is up), ``/readyz`` (database and policy bundle
ready) and the RFC 9728 protected-resource metadata.

Every MCP and REST request is authenticated before JSON-RPC or the route
runs (:mod:`pearl_mcp.http_auth`); health endpoints carry no data and are
open. Host and Origin headers are checked against an allow-list (DNS
rebinding): loopback names by default, plus the configured public host.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Final
from urllib.parse import urlsplit

import structlog
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pearl_core import PearlError, TokenIssuer, record_denied
from pearl_mcp.auth_routes import auth_routes
from pearl_mcp.http_auth import PrincipalResolver, auth_middleware, require_auth
from pearl_mcp.identity import principal_of
from pearl_mcp.mcp import build_mcp_server
from pearl_mcp.rest import build_rest_app
from pearl_mcp.rest.errors import error_response
from pearl_mcp.runtime import Runtime

__all__ = ["build_http_app"]

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_log = structlog.get_logger("pearl.http")


def _security(public_url: str, extra_hosts: Sequence[str]) -> TransportSecuritySettings:
    public = urlsplit(public_url)
    hosts = {*_LOOPBACK, *extra_hosts}
    if public.hostname:
        hosts.add(public.hostname)
    allowed_hosts = sorted({pattern for host in hosts for pattern in (host, f"{host}:*")})
    origins = sorted(
        {
            f"{scheme}://{host}{port}"
            for host in hosts
            for scheme in ("http", "https")
            for port in ("", ":*")
        }
    )
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts, allowed_origins=origins
    )


#: REST paths that describe the API and carry no data: served without a credential.
_PUBLIC = frozenset({"/api/v1/openapi.json", "/api/v1/docs"})


def _by_prefix(rest: ASGIApp, guarded_rest: ASGIApp, mcp: ASGIApp) -> ASGIApp:
    """``/api/v1/...`` to the REST app (its routes carry the prefix), the rest to MCP."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path in _PUBLIC:
            target = rest
        elif path == "/api/v1" or path.startswith("/api/v1/"):
            target = guarded_rest
        else:
            target = mcp
        await target(scope, receive, send)

    return dispatch


def _checked_hosts(app: ASGIApp, security: TransportSecuritySettings) -> ASGIApp:
    """Refuse a request whose Host or Origin is not on the allow-list (DNS rebinding):
    421 for the Host, 403 for the Origin, before anything else runs."""
    guard = TransportSecurityMiddleware(security)

    async def checked(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = await guard.validate_request(Request(scope), is_post=False)
            if refusal is not None:
                code = "misdirected_request" if refusal.status_code == 421 else "forbidden"
                response = error_response(
                    code, bytes(refusal.body).decode(), status=refusal.status_code
                )
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return checked


def _whole_body(app: ASGIApp, limit: int) -> ASGIApp:
    """Read a request's whole body, at most ``limit`` bytes, before ``app`` sees it.

    The MCP SDK reads any body into memory without a bound; here a body over
    ``limit`` is refused with 413 ``limit_exceeded`` as it arrives, and a
    caller that leaves mid-body ends the request quietly (the SDK would log a
    traceback per dropped connection). ``app`` then gets the body in one
    message, and the real channel after it (to notice a later disconnect).
    """

    async def buffered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                _log.info("client_disconnected", method="POST", path=scope.get("path", ""))
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                response = error_response(
                    "limit_exceeded", f"the request body is over {limit} bytes", status=413
                )
                await response(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks)}

        async def replay() -> Message:
            nonlocal whole
            if whole is None:
                return await receive()
            message, whole = whole, None
            return message

        await app(scope, replay, send)

    return buffered


class _AnonymousDenials:
    """Audits requests refused for want of a valid credential (``access.denied``,
    principal ``anonymous``, in ``PEARL_ORG_ID``'s chain), at most ``LIMIT`` a
    minute: unbounded, anyone could grow the audit chain at will, so further
    refusals in the minute are only counted, and the count is logged when the
    minute ends (a flood is then on the record as a log line, not 3,000 events)."""

    LIMIT: Final = 3000

    def __init__(self, runtime: Runtime) -> None:
        self._pearl = runtime.pearl
        self._minute = 0
        self._recorded = 0
        self._suppressed = 0

    async def __call__(self, scope: Scope) -> None:
        minute = int(time.monotonic() // 60)
        if minute != self._minute:
            if self._suppressed:
                _log.warning("anonymous_denials_not_audited", count=self._suppressed)
            self._minute, self._recorded, self._suppressed = minute, 0, 0
        if self._recorded >= self.LIMIT:
            self._suppressed += 1
            return
        self._recorded += 1
        try:
            await record_denied(
                self._pearl.store,
                None,
                surface="http",
                target=f"{scope.get('method', '')} {scope.get('path', '')}",
                code="unauthenticated",
                org_id=self._pearl.settings.org_id,
            )
        except PearlError as exc:  # the 401 stands either way
            _log.error("anonymous_denial_not_audited", error=exc.code)


#: Statuses a caller who *is* authenticated gets for a refused request that no deeper
#: layer audits: an object or route that is not theirs to see (404, 405), a request
#: for another host (421) or from a foreign origin (403 outside the REST API, whose
#: own 403s are audited by its error handler).
_AUDITED_STATUSES: Final = frozenset({403, 404, 405, 421})


def _audited_refusals(app: ASGIApp, runtime: Runtime) -> ASGIApp:
    """Record an authenticated caller's refused request as ``access.denied``: a
    cross-org id (404, the same answer as a missing one, but on the record), a
    probed route, another principal's MCP session, a foreign Origin.

    The record is written before the refusal goes out, so a caller who has
    its answer can already find the denial in the audit log."""

    async def audited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        method, path = scope.get("method", ""), scope.get("path", "")

        async def record_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in _AUDITED_STATUSES:
                await _record_refusal(scope, message["status"], method, path)
            await send(message)

        try:
            await app(scope, receive, record_then_send)
        except ClientDisconnect:
            # The caller left mid-request: there is nobody to answer, and a
            # traceback per dropped connection would only let anyone flood the log.
            _log.info("client_disconnected", method=method, path=path)

    async def _record_refusal(scope: Scope, status: int, method: str, path: str) -> None:
        principal = principal_of(getattr(scope.get("user"), "access_token", None))
        rest_403 = status == 403 and path.startswith("/api/v1/")  # audited by the REST app
        if principal is None or rest_403:
            return
        try:
            await record_denied(
                runtime.pearl.store,
                principal,
                surface="http",
                target=f"{method} {path}",
                code=f"http_{status}",
            )
        except PearlError as exc:  # the refusal stands; log that its record failed
            _log.error("refusal_not_audited", error=exc.code)

    return audited


def _mcp_body_limit(runtime: Runtime) -> int:
    """Two bytes a report byte: ``pearl_ingest_findings`` carries a whole report
    as a JSON string, where escaping (quotes, backslashes, newlines) grows it."""
    return 2 * runtime.pearl.settings.ingest.max_bytes


def build_http_app(
    runtime: Runtime,
    resolver: PrincipalResolver,
    *,
    public_url: str = "http://127.0.0.1:8080",
    allowed_hosts: Sequence[str] = (),
    issuer: TokenIssuer | None = None,
    max_mcp_body: int | None = None,
) -> Starlette:
    """The server app; ``public_url`` is the canonical URL clients use. With
    ``issuer``, people sign in at ``/auth/*`` and its keys are at
    ``/.well-known/jwks.json`` (:mod:`pearl_mcp.auth_routes`). An MCP request
    body is at most ``max_mcp_body`` bytes (default: room for one report of
    ``PEARL_INGEST_MAX_BYTES``, JSON-escaped)."""
    security = _security(public_url, allowed_hosts)
    mcp_server = build_mcp_server(runtime)
    mcp_app = mcp_server.streamable_http_app(json_response=True, transport_security=security)
    metadata_url = f"{public_url.rstrip('/')}/.well-known/oauth-protected-resource"

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await runtime.pearl.store.ping()
            checks["database"] = "ok"
        except PearlError as exc:
            checks["database"] = exc.code
        checks["policy_bundle"] = runtime.engine.bundle_hash[:16]
        ready = checks["database"] == "ok"
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    async def resource_metadata(_: Request) -> Response:
        metadata: dict[str, object] = {
            "resource": f"{public_url.rstrip('/')}/mcp",
            "bearer_methods_supported": ["header"],
            "resource_name": "PeaRL",
        }
        if issuer is not None:
            metadata["authorization_servers"] = [issuer.issuer]
        return JSONResponse(metadata)

    rest = build_rest_app(runtime)
    refused = _AnonymousDenials(runtime)
    guarded_rest = require_auth(rest, resource_metadata_url=metadata_url, on_refused=refused)
    mcp = require_auth(
        _whole_body(mcp_app, _mcp_body_limit(runtime) if max_mcp_body is None else max_mcp_body),
        resource_metadata_url=metadata_url,
        on_refused=refused,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with runtime.running(), mcp_server.session_manager.run():
            yield

    signing_in = [] if issuer is None else auth_routes(runtime, issuer, on_refused=refused)
    served = Starlette(
        routes=[
            Route("/.well-known/oauth-protected-resource", resource_metadata),
            Route("/.well-known/oauth-protected-resource/mcp", resource_metadata),
            *signing_in,
            Mount("/", app=_by_prefix(rest, guarded_rest, mcp)),
        ]
    )
    return Starlette(
        routes=[
            # Probes carry no data and come from the orchestrator by IP: no Host check.
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/", app=_audited_refusals(_checked_hosts(served, security), runtime)),
        ],
        middleware=auth_middleware(resolver),
        lifespan=lifespan,
    )
