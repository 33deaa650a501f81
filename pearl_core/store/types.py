"""Column types shared by PeaRL's tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["UtcDateTime"]


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp with microseconds, on both engines.

    PostgreSQL stores ``timestamp with time zone``. SQLite has no timestamp
    type: SQLAlchemy writes a fixed-width ``YYYY-MM-DD HH:MM:SS.ffffff`` text
    (which sorts chronologically), so values are converted to UTC and stored
    naive, then given back their UTC zone on the way out. Exact round-trips
    matter: the audit hash covers ``occurred_at`` to the microsecond.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes are never stored; pass a timezone-aware value")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
