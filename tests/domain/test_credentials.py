"""The API key model: what a stored key may hold, and what it never shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from pearl_core.domain import ApiKey, Permission

NOW = datetime(2026, 2, 21, 16, 30, tzinfo=UTC)
DIGEST = "0f" * 32


def key(**overrides: Any) -> ApiKey:
    fields: dict[str, Any] = {
        "key_id": "abcdefgh2345",
        "org_id": "org_a",
        "name": "ci",
        "principal_id": "sa_1",
        "digest": DIGEST,
        "created_by": "usr_1",
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=1),
    }
    return ApiKey(**(fields | overrides))


def test_an_api_key_is_active_until_it_expires_or_is_revoked() -> None:
    assert key().is_active(NOW)
    assert not key().is_active(NOW + timedelta(days=1))
    assert not key(revoked_at=NOW).is_active(NOW)


def test_an_api_key_must_expire_after_it_was_created() -> None:
    with pytest.raises(ValidationError):
        key(expires_at=NOW)


@pytest.mark.parametrize("key_id", ["ABCDEFGH2345", "abcdefgh234", "abcdefgh_345", "abcdefgh1345"])
def test_an_api_key_id_is_twelve_lowercase_base32_characters(key_id: str) -> None:
    with pytest.raises(ValidationError):
        key(key_id=key_id)


def test_an_api_key_digest_is_a_hex_sha256_and_never_in_its_repr() -> None:
    with pytest.raises(ValidationError):
        key(digest="not-a-digest")

    assert DIGEST not in repr(key())


def test_an_api_key_scopes_are_permissions_without_repeats() -> None:
    assert key(scopes=(Permission.FINDINGS_READ,)).scopes == (Permission.FINDINGS_READ,)
    with pytest.raises(ValidationError):
        key(scopes=("findings:read",))  # strict: Python callers pass members
    with pytest.raises(ValidationError):
        key(scopes=(Permission.FINDINGS_READ, Permission.FINDINGS_READ))


def test_a_stored_api_key_reads_back_from_its_json() -> None:
    original = key(scopes=(Permission.PACKETS_WORK,), last_used_at=NOW)

    assert ApiKey.model_validate_json(original.model_dump_json()) == original
