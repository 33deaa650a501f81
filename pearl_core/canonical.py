"""Canonical JSON (RFC 8785, JCS) and content hashes.

Everything PeaRL hashes or signs (audit events, compiled packages, task
packets) goes through :func:`canonical_json`, so the same data always gives the
same bytes on every machine and Python version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

__all__ = ["canonical_json", "sha256_hex", "sorted_json"]


def canonical_json(value: Any) -> bytes:
    """``value`` as RFC 8785 canonical JSON bytes (sorted keys, no spaces, UTF-8)."""
    return bytes(rfc8785.dumps(value))


def sorted_json(value: Any) -> bytes:
    """``value`` as compact JSON with sorted keys, UTF-8: the policy-input form.

    Deterministic like :func:`canonical_json` and five times faster, because
    the standard library's C encoder does the work; it is what a guard-rail
    decision hashes on every agent action. For the data PeaRL hands the
    engine (strings, integers, no floats) the bytes are the RFC 8785 ones;
    they differ only in float formatting and in the order of keys outside
    the Basic Multilingual Plane. NaN and infinities are refused.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(*parts: bytes) -> str:
    """Hex SHA-256 over the concatenation of ``parts``."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()
