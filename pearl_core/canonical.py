"""Canonical JSON (RFC 8785, JCS) and content hashes.

Everything PeaRL hashes or signs (audit events, compiled packages, task
packets) goes through :func:`canonical_json`, so the same data always gives the
same bytes on every machine and Python version.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

__all__ = ["canonical_json", "sha256_hex"]


def canonical_json(value: Any) -> bytes:
    """``value`` as RFC 8785 canonical JSON bytes (sorted keys, no spaces, UTF-8)."""
    return bytes(rfc8785.dumps(value))


def sha256_hex(*parts: bytes) -> str:
    """Hex SHA-256 over the concatenation of ``parts``."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()
