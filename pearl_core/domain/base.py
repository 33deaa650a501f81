"""Base classes for PeaRL's pydantic models.

``PearlModel`` is strict (no silent coercion: ``"1"`` is not an int) and
forbids unknown fields, for everything callers write. ``PearlRecord`` is the
same but frozen: records PeaRL itself produces (audit events, decisions) are
never edited in place; services derive a new value with ``model_copy``.

Strict mode accepts ISO-8601 strings for datetimes and plain strings for enums
only when validating JSON (``model_validate_json``), which is how PeaRL reads
wire and stored payloads; Python callers pass real ``datetime`` and enum
members.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = ["SCHEMA_VERSION", "Id", "PearlModel", "PearlRecord", "UtcDatetime"]

#: PeaRL's payload version. The v1.1 contract is extended (finding lifecycle,
#: packet leases, allowed paths, integrity signatures), hence 1.2.
SCHEMA_VERSION = "1.2"


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a timezone")
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_require_aware)]
"""A timezone-aware datetime; naive datetimes are refused."""

Id = Annotated[str, Field(min_length=3, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
"""Any PeaRL identifier (prefix checked per field where the contract fixes one)."""


def prefixed_id(prefix: str) -> object:
    """An ``Annotated`` id type whose values must start with ``prefix_``."""
    return Annotated[
        str, Field(min_length=3, max_length=128, pattern=rf"^{prefix}_[A-Za-z0-9_-]+$")
    ]


class PearlModel(BaseModel):
    """Strict, closed model for anything written by callers."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=False,
        ser_json_timedelta="iso8601",
        use_attribute_docstrings=True,
    )


class PearlRecord(PearlModel):
    """A frozen :class:`PearlModel`: records PeaRL writes once."""

    model_config = ConfigDict(frozen=True, validate_assignment=False)
