"""A controllable clock for tests: it only moves when told to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["DEFAULT_START", "FakeClock"]

#: Where every :class:`FakeClock` starts unless told otherwise.
DEFAULT_START = datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)


class FakeClock:
    """Satisfies :class:`pearl_core.clock.Clock`; time stands still until advanced."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = _utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: float | timedelta) -> datetime:
        """Move forward by ``by`` seconds (or a timedelta); returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError("a clock does not run backwards; use set() to rewind")
        self._now += step
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (timezone-aware; converted to UTC)."""
        self._now = _utc(when)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("FakeClock needs a timezone-aware datetime")
    return value.astimezone(UTC)
