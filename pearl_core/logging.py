"""Structured logs: JSON lines on stderr, with the trace id of the current scope.

Logs never carry secrets: callers log ids and codes, not tokens or documents.
"""

from __future__ import annotations

import logging
import sys

import structlog

from pearl_core.settings import LogSettings

__all__ = ["configure_logging", "get_logger"]


def _stderr_logger(*_: object) -> structlog.PrintLogger:
    # Whatever sys.stderr is *now*: a stream captured at configure time may be
    # closed by the time a log line is written (a test runner's, a daemon's).
    return structlog.PrintLogger(sys.stderr)


def configure_logging(settings: LogSettings) -> None:
    """Route structlog (and stdlib logging) to stderr at ``settings.level``."""
    level = logging.getLevelNamesMapping()[settings.level.upper()]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if settings.json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(stream=sys.stderr, level=max(level, logging.WARNING), force=True)


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger
