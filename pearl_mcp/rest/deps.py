"""What every route handler starts from: the caller, authorised; the runtime; the body.

:func:`caller` is a dependency of every route: it reads the route's
``operation_id``, looks its permission up in
:data:`~pearl_mcp.rest.permissions.ROUTE_PERMISSIONS`, takes the principal
the auth middleware established (:func:`pearl_mcp.identity.current_principal`;
none is ``unauthenticated``, 401) and authorises it, so a handler body only
runs for a caller who holds the permission.

Bodies are read here, not by FastAPI: PeaRL's models are strict, and strict
models accept ISO timestamps and enum strings only when validating JSON, so
:func:`read_model` validates the raw bytes with :func:`pearl_core.parse_json`
(``validation_failed`` naming the fields). Bodies are capped
(:data:`MAX_BODY`, ``limit_exceeded``, 413) while they are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel

from pearl_core import (
    Forbidden,
    LimitExceeded,
    Principal,
    UnitOfWork,
    ValidationFailed,
    authorize,
    parse_json,
)
from pearl_mcp.identity import current_principal
from pearl_mcp.rest.permissions import ROUTE_PERMISSIONS
from pearl_mcp.runtime import Runtime

__all__ = [
    "MAX_BODY",
    "Call",
    "IdempotencyKey",
    "caller",
    "read_model",
    "read_object",
    "read_optional_model",
    "trace_header",
]

MAX_BODY: Final = 1024 * 1024
"""Largest body of any route but findings ingest (which uses the ingest limit)."""

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Call:
    """One authorised request: who calls, and the server's shared parts."""

    runtime: Runtime
    principal: Principal

    def uow(self) -> UnitOfWork:
        """A fresh unit of work acting as the caller."""
        return self.runtime.uow(self.principal)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def caller(request: Request) -> Call:
    """The authenticated, authorised caller of the running route."""
    route = request.scope.get("route")
    operation = route.operation_id if isinstance(route, APIRoute) else None
    permission = ROUTE_PERMISSIONS.get(operation or "")
    principal = current_principal()
    if permission is None:  # build_rest_app refuses such routes; never serve one
        raise Forbidden("this operation declares no permission", operation=operation)
    authorize(principal, permission)
    return Call(_runtime(request), principal)


async def trace_header(
    x_trace_id: Annotated[
        str | None,
        Header(
            alias="X-Trace-Id",
            min_length=8,
            max_length=128,
            description="The trace id of the request (echoed; PeaRL makes one if absent).",
        ),
    ] = None,
) -> None:
    """Documents ``X-Trace-Id`` on every operation; the trace middleware applies it."""


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="A retry with the same key and body returns the first result.",
    ),
]

Caller = Annotated[Call, Depends(caller)]


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_big(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(limit: int) -> LimitExceeded:
    return LimitExceeded(f"the request body is larger than {limit} bytes", max_bytes=limit)


async def read_model(request: Request, model: type[M], *, limit: int = MAX_BODY) -> M:
    """The JSON body as ``model`` (strict, unknown fields refused)."""
    return parse_json(model, await _read(request, limit))


async def read_optional_model(
    request: Request, model: type[M], *, limit: int = MAX_BODY
) -> M | None:
    """The JSON body as ``model``, or ``None`` when there is no body."""
    raw = await _read(request, limit)
    return parse_json(model, raw) if raw.strip() else None


async def read_object(request: Request, *, limit: int = MAX_BODY) -> dict[str, Any]:
    """The JSON body as an object (``{}`` when empty), for services that parse it themselves."""
    raw = await _read(request, limit)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise ValidationFailed("the request body is not JSON", field="(body)") from None
    if not isinstance(value, dict):
        raise ValidationFailed("the request body must be a JSON object", field="(body)")
    return value
