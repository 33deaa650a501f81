"""Ids derived from an ``Idempotency-Key``, so a retried request finds its first result.

A request that creates a record under a caller's idempotency key gets an id
computed from the key (and the org and the kind of record), not a random one:
the retry computes the same id, finds the record, and the service compares
it with what the retry asks for (same: the stored record; different:
``conflict``). Keys are scoped to the org, as the stored unique keys are.
"""

from __future__ import annotations

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.ids import new_id

__all__ = ["record_id"]


def record_id(prefix: str, org_id: str, idempotency_key: str | None) -> str:
    """``<prefix>_`` + 26 hex digits of SHA-256 over (prefix, org, key), or a fresh id."""
    if idempotency_key is None:
        return new_id(prefix)
    digest = sha256_hex(canonical_json(["pearl-idempotency", prefix, org_id, idempotency_key]))
    return f"{prefix}_k{digest[:26]}"
