"""``build_rest_app``: PeaRL's REST API (the v1.1 contract plus the agent loop) as FastAPI.

Everything is served under ``/api/v1``. The app expects the caller to be
authenticated by the HTTP auth middleware of :mod:`pearl_mcp.http_auth`:
pass a ``resolver`` to install it on this app, or mount the app inside a
server that already runs it. Either way, a route answers only a principal
holding its permission (:mod:`pearl_mcp.rest.permissions`), and a request
without one gets 401 with ``WWW-Authenticate: Bearer``.

The description is served as ``/api/v1/openapi.json``, and ``/api/v1/docs``
is a plain HTML table of the operations (no scripts, no CDN).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from pearl_core import __version__
from pearl_mcp.http_auth import PrincipalResolver, auth_middleware
from pearl_mcp.rest.errors import install_error_handlers
from pearl_mcp.rest.openapi import build_openapi, docs_page
from pearl_mcp.rest.permissions import ROUTE_PERMISSIONS
from pearl_mcp.rest.routes import ROUTERS
from pearl_mcp.rest.tracing import TraceMiddleware
from pearl_mcp.runtime import Runtime

__all__ = [
    "API_PREFIX",
    "PearlRestApp",
    "build_rest_app",
    "check_permissions",
    "served_operations",
]

API_PREFIX: Final = "/api/v1"

_DESCRIPTION = (
    "PeaRL's REST API: the PeaRL v1.1 contract (projects, context, task packets, findings, "
    "remediation, approvals, exceptions, reports, jobs) and PeaRL's agent loop (claim, "
    "heartbeat, check-action, outcome, release). Contract operations answer in the v1.1 "
    "shape unless ?view=pearl. Errors are ErrorResponse bodies with PeaRL's stable codes."
)


class PearlRestApp(FastAPI):
    """A FastAPI app whose OpenAPI document is PeaRL's (see :mod:`pearl_mcp.rest.openapi`)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = build_openapi(self)
        return self.openapi_schema


def build_rest_app(runtime: Runtime, *, resolver: PrincipalResolver | None = None) -> PearlRestApp:
    """The REST app over ``runtime``; with ``resolver``, it authenticates bearer credentials."""
    app = PearlRestApp(
        title="PeaRL API",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.runtime = runtime
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    check_permissions(app)
    app.add_route(f"{API_PREFIX}/docs", docs_page, methods=["GET"], include_in_schema=False)
    install_error_handlers(app)
    if resolver is not None:
        for middleware in reversed(auth_middleware(resolver)):
            app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(TraceMiddleware)
    return app


def served_operations(app: FastAPI) -> list[tuple[str, str, str | None]]:
    """``(method, path, operation_id)`` of every API route of ``app``, routers included."""
    return sorted(
        (method.lower(), str(context.path), context.original_route.operation_id)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    )


def check_permissions(app: FastAPI) -> None:
    """Refuse to build an app with a route that declares no permission."""
    undeclared = sorted(
        f"{method.upper()} {path}"
        for method, path, operation_id in served_operations(app)
        if operation_id not in ROUTE_PERMISSIONS
    )
    if undeclared:
        raise LookupError(f"REST routes without a permission: {', '.join(undeclared)}")
