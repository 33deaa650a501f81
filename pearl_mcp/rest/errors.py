"""Errors as the contract's ``ErrorResponse``, with PeaRL's stable codes.

Every error body is ``{"schema_version", "error": {"code", "message",
"details"?, "trace_id", "timestamp"}}``; ``code`` is the
:class:`~pearl_core.PearlError` code, ``trace_id`` the request's (also in the
``X-Trace-Id`` header). HTTP statuses by code:

==========================================================  ======
``validation_failed``, ``unrecognized_format``,             400
``malformed_report`` (and FastAPI's parameter validation)
``unauthenticated`` (with ``WWW-Authenticate: Bearer``)     401
``forbidden``, ``human_required``, ``reason_required``,     403
``requester_cannot_decide``, ``insufficient_scope`` (with
``WWW-Authenticate: Bearer error="insufficient_scope",
scope="<permission>"``, RFC 6750 §3.1)
``not_found`` (also an unknown path)                        404
``method_not_allowed``                                      405
``conflict``, ``already_exists``, ``invalid_transition``,   409
``approval_not_pending``, ``integrity_violation``,
``audit_chain_broken``, ``signature_invalid``
``limit_exceeded``                                          413
``policy_*``, ``store_unavailable``, ``scanner_*``          503
anything else                                               500
==========================================================  ======

Every 403 is audited as ``access.denied`` (:func:`pearl_core.record_denied`)
with the caller, the operation and the code, before it is answered.

A 5xx answer says only what failed, never why: its message is fixed per
code and it carries no details (a policy file path or a database URL is
nobody's business but the operator's, who has the logs). Anything that is
not a :class:`~pearl_core.PearlError` is ``internal_error``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from mcp.server.auth.middleware.auth_context import get_access_token
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from pearl_core import Forbidden, PearlError, current_trace_id, record_denied
from pearl_mcp.identity import principal_of
from pearl_mcp.rest.permissions import ROUTE_PERMISSIONS

__all__ = ["STATUS_BY_CODE", "error_body", "error_response", "install_error_handlers"]

logger = logging.getLogger("pearl_mcp.rest")

SCHEMA_VERSION: Final = "1.2"

STATUS_BY_CODE: Final[Mapping[str, int]] = {
    "validation_failed": 400,
    "unrecognized_format": 400,
    "malformed_report": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "human_required": 403,
    "reason_required": 403,
    "requester_cannot_decide": 403,
    "insufficient_scope": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "already_exists": 409,
    "invalid_transition": 409,
    "approval_not_pending": 409,
    "integrity_violation": 409,
    "audit_chain_broken": 409,
    "signature_invalid": 409,
    "limit_exceeded": 413,
    "policy_error": 503,
    "policy_invalid": 503,
    "policy_evaluation_failed": 503,
    "policy_engine_unavailable": 503,
    "store_unavailable": 503,
    "scanner_unavailable": 503,
    "scanner_failed": 503,
}

_HIDDEN: Final = {
    503: "a service PeaRL depends on cannot answer now; PeaRL fails closed",
    500: "internal error",
}
_CHALLENGE: Final = 'Bearer realm="pearl"'


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def error_body(
    code: str, message: str, details: Mapping[str, Any] | None = None, *, trace_id: str
) -> dict[str, Any]:
    """The ``ErrorResponse`` document (``details`` left out when empty)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = dict(details)
    error |= {"trace_id": trace_id, "timestamp": _now()}
    return {"schema_version": SCHEMA_VERSION, "error": error}


def error_response(
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    *,
    trace_id: str | None = None,
    status: int | None = None,
) -> JSONResponse:
    """The response for ``code``; 5xx answers hide the message and details."""
    status = status or STATUS_BY_CODE.get(code, 500)
    if status >= 500:
        message, details = _HIDDEN.get(status, _HIDDEN[500]), None
    trace = trace_id or current_trace_id()
    headers = {"X-Trace-Id": trace}
    if status == 401:
        headers["WWW-Authenticate"] = _CHALLENGE
    elif code == "insufficient_scope":
        scope = str((details or {}).get("permission", ""))
        headers["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{scope}"'
    return JSONResponse(error_body(code, message, details, trace_id=trace), status, headers)


async def _pearl_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, PearlError):  # registered for PearlError only
        raise exc
    if isinstance(exc, Forbidden):
        await _audit_refusal(request, exc)
    return error_response(exc.code, exc.message, exc.details)


async def _audit_refusal(request: Request, exc: Forbidden) -> None:
    """Record a 403 as ``access.denied``; the refusal stands even if the record fails."""
    route = request.scope.get("route")
    operation = route.operation_id if isinstance(route, APIRoute) else None
    lacking = exc.details.get("permission") or ROUTE_PERMISSIONS.get(operation or "")
    try:
        runtime = request.app.state.runtime
        await record_denied(
            runtime.pearl,
            principal_of(get_access_token()),
            surface="rest",
            target=operation or f"{request.method} {request.url.path}",
            code=exc.code,
            permission=None if lacking is None else str(lacking),
            org_id=runtime.pearl.settings.org_id,
        )
    except Exception:  # the outermost REST edge: log it, never turn a 403 into a 500
        logger.exception("could not audit a refused REST call (%s)", exc.code)


async def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # registered for it only
        raise exc
    problems = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ())),
            "type": str(err.get("type", "")),
            "message": str(err.get("msg", "")),
        }
        for err in exc.errors()
    ]
    first = problems[0] if problems else {"field": "(request)", "message": "invalid"}
    return error_response(
        "validation_failed", f"{first['field']}: {first['message']}", {"errors": problems}
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, HTTPException):  # registered for it only
        raise exc
    if exc.status_code == 404:
        return error_response("not_found", f"no such path: {request.url.path}")
    if exc.status_code == 405:
        return error_response("method_not_allowed", f"{request.method} is not served here")
    return error_response("http_error", str(exc.detail), status=exc.status_code)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    """Last resort, outside the trace scope: the trace id is read from the request state."""
    trace_id = getattr(request.state, "trace_id", None)
    return error_response("internal_error", "internal error", trace_id=trace_id)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on a FastAPI app."""
    app.add_exception_handler(PearlError, _pearl_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal)
