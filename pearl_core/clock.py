"""The clock port. Services take the time from a :class:`Clock`, never from
``datetime.now()`` directly, so tests and replays control it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock", "rfc3339"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


def rfc3339(moment: datetime) -> str:
    """``moment`` as RFC 3339 UTC with microseconds (``2025-06-01T12:00:00.000000Z``),
    the form Rego's ``time.parse_rfc3339_ns`` reads; naive times are refused."""
    if moment.tzinfo is None:
        raise ValueError("times handed to policy must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SystemClock:
    """The real wall clock, truncated to microseconds, always UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
