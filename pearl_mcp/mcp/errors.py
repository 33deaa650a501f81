"""PeaRL errors as MCP answers: one format, decided in one place.

A tool that fails answers ``is_error=True`` with one text block that starts
``[<code>] <message>``: the :class:`~pearl_core.PearlError` code the CLI and
REST carry too (``[conflict] the task packet is leased to another
principal``), so an agent can act on the code. Arguments that fail the tool's
input schema are ``[validation_failed]`` naming the fields (never echoing the
values). A tool that does not exist and a tool the caller's roles do not let
it call read the same, ``[forbidden]`` with one fixed text
(:func:`no_such_tool_result`), so nobody can probe for tools hidden from
them; a tool the roles grant but the credential's scopes do not is
``[insufficient_scope]`` naming the permission. Anything unexpected is
``[internal_error]`` with a fixed text: the exception is logged on the
server and nothing of it reaches the client.

Resources raise MCP protocol errors instead (reading is not a tool call): a
``not_found`` is ``ResourceNotFoundError`` (JSON-RPC ``-32602``), any other
PeaRL error a ``ResourceError`` (``-32603``), both with the same
``[<code>] <message>`` text.

Messages are PeaRL's own (ids, field names, limits); they never carry finding
text. They are still flattened to one line and capped, so nothing an error
repeats can pose as a new instruction line.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from mcp.server.mcpserver.exceptions import (
    ResourceError,
    ResourceNotFoundError,
    ToolError,
    UnexpectedResourceError,
    UnexpectedToolError,
)
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from pearl_core import Forbidden, NotFound, PearlError

__all__ = [
    "INTERNAL_ERROR",
    "NO_SUCH_TOOL",
    "error_result",
    "error_text",
    "no_such_tool_result",
    "resource_error",
    "tool_error_result",
]

logger = logging.getLogger("pearl_mcp.mcp")

INTERNAL_ERROR: Final = "internal_error"
_INTERNAL_TEXT: Final = "PeaRL could not complete this call; the server logged why"
_MAX_MESSAGE: Final = 1000
NO_SUCH_TOOL: Final = "there is no PeaRL tool of that name that you may call"
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")


def error_text(code: str, message: str) -> str:
    """``[code] message`` on one line, at most about a thousand characters."""
    flat = _CONTROL.sub(" ", message).strip()
    if len(flat) > _MAX_MESSAGE:
        flat = flat[: _MAX_MESSAGE - 1] + "…"
    return f"[{code}] {flat}"


def _result(text: str) -> CallToolResult:
    return CallToolResult(is_error=True, content=[TextContent(type="text", text=text)])


def error_result(exc: PearlError) -> CallToolResult:
    """The ``is_error`` result carrying ``exc``'s code and message."""
    return _result(error_text(exc.code, exc.message))


def no_such_tool_result() -> CallToolResult:
    """The one answer for a tool that does not exist or that the caller may not see."""
    return _result(error_text(Forbidden.code, NO_SUCH_TOOL))


def _argument_problems(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in error['loc']) or '(arguments)'}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    return "invalid arguments: " + "; ".join(problems[:10])


def tool_error_result(name: str, exc: ToolError) -> CallToolResult:
    """The ``is_error`` result for a failed call of tool ``name`` (see the module docstring)."""
    cause = exc.__cause__
    if isinstance(cause, PearlError):
        logger.info("tool %r refused: %s", name, cause.code)
        return _result(error_text(cause.code, cause.message))
    if isinstance(exc, UnexpectedToolError):
        logger.error("tool %r failed unexpectedly", name, exc_info=cause or exc)
        return _result(error_text(INTERNAL_ERROR, _INTERNAL_TEXT))
    if isinstance(cause, ValidationError):
        return _result(error_text("validation_failed", _argument_problems(cause)))
    if cause is None and str(exc).startswith("Unknown tool"):
        return no_such_tool_result()
    logger.error("tool %r failed", name, exc_info=exc)
    return _result(error_text(INTERNAL_ERROR, _INTERNAL_TEXT))


def resource_error(exc: UnexpectedResourceError) -> ResourceError:
    """The protocol error for a failed resource read (see the module docstring)."""
    cause = exc.__cause__
    if isinstance(cause, NotFound):
        return ResourceNotFoundError(error_text(cause.code, cause.message))
    if isinstance(cause, PearlError):
        return ResourceError(error_text(cause.code, cause.message))
    return exc
