"""The clock port. Services take the time from a :class:`Clock`, never from
``datetime.now()`` directly, so tests and replays control it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real wall clock, truncated to microseconds, always UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
