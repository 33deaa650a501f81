"""``X-Trace-Id``: one id per request, in PeaRL's trace scope and echoed back.

The caller's ``X-Trace-Id`` (8 to 128 characters of ``A-Z a-z 0-9 . _ : -``,
the contract's length; the characters keep logs and headers clean) becomes
the trace id of everything the request does: audit events, decision-log
records, logs, error bodies. Without one PeaRL makes one. Either way the
response carries it in ``X-Trace-Id``. A malformed one is refused (400
``validation_failed``) before anything else runs.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pearl_core import trace_scope
from pearl_mcp.rest.errors import error_response

__all__ = ["TRACE_HEADER", "TraceMiddleware"]

TRACE_HEADER: Final = "X-Trace-Id"
_VALID: Final = re.compile(r"[A-Za-z0-9._:-]{8,128}")


class TraceMiddleware:
    """Pure ASGI middleware: runs the request inside :func:`pearl_core.trace_scope`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope)
        if given is not None and not _VALID.fullmatch(given):
            with trace_scope() as fresh:
                response = error_response(
                    "validation_failed",
                    "X-Trace-Id must be 8 to 128 characters of A-Z a-z 0-9 . _ : -",
                    {"field": TRACE_HEADER},
                    trace_id=fresh,
                )
            await response(scope, receive, send)
            return
        with trace_scope(given) as trace_id:
            scope.setdefault("state", {})["trace_id"] = trace_id

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableHeaders(scope=message)
                    headers[TRACE_HEADER] = trace_id
                await send(message)

            await self.app(scope, receive, send_traced)


def _header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-trace-id":
            return str(value.decode("latin-1"))
    return None
