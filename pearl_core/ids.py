"""Prefixed, time-ordered identifiers: ``proj_01jd3k...``.

An id is its entity prefix followed by 26 lowercase Crockford base32 digits:
48 bits of milliseconds since the epoch, then 80 random bits (the ULID
layout), so ids sort by creation time and never collide in practice.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Final

__all__ = ["ID_PATTERN", "PREFIXES", "new_id"]

_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"

PREFIXES: Final = frozenset(
    {
        "org",
        "team",
        "usr",
        "sa",
        "proj",
        "find",
        "rs",
        "tp",
        "appr",
        "dec",
        "exc",
        "pkg",
        "job",
        "rpt",
        "orgb",
        "envp",
        "app",
        "evt",
        "prom",
        "key",
        "ing",
    }
)

ID_PATTERN: Final = r"^[a-z]+_[A-Za-z0-9_-]+$"
_ID_RE: Final = re.compile(ID_PATTERN)


def new_id(prefix: str, *, now_ms: int | None = None) -> str:
    """A fresh id with ``prefix`` (one of :data:`PREFIXES`)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    digits = []
    for _ in range(26):
        digits.append(_ALPHABET[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(digits))}"


def is_id(value: str, prefix: str) -> bool:
    """True when ``value`` looks like an id with ``prefix``."""
    return value.startswith(prefix + "_") and bool(_ID_RE.match(value))
