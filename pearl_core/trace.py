"""The current trace id, carried in a context variable.

Entrypoints (an HTTP request, an MCP call, a CLI command, a job) open a
:func:`trace_scope`; the audit log, the decision log and structlog read the id
from here, so it never has to be threaded through every call.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from contextvars import ContextVar

import structlog

__all__ = ["current_trace_id", "new_trace_id", "trace_scope"]

_TRACE_ID: ContextVar[str | None] = ContextVar("pearl_trace_id", default=None)


def new_trace_id() -> str:
    """A fresh trace id: ``trc_`` and 24 hex digits."""
    return f"trc_{secrets.token_hex(12)}"


def current_trace_id() -> str:
    """The trace id of the current scope, or a fresh one outside any scope."""
    trace_id = _TRACE_ID.get()
    if trace_id is None:
        trace_id = new_trace_id()
        _TRACE_ID.set(trace_id)
    return trace_id


@contextlib.contextmanager
def trace_scope(trace_id: str | None = None) -> Iterator[str]:
    """Bind ``trace_id`` (or a new one) for the duration of the block, in logs too."""
    value = trace_id or new_trace_id()
    token = _TRACE_ID.set(value)
    with structlog.contextvars.bound_contextvars(trace_id=value):
        try:
            yield value
        finally:
            _TRACE_ID.reset(token)
