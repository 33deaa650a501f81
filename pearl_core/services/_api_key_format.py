"""The API key format, ``pearl_<key_id>_<secret>``, and the digest PeaRL stores.

``key_id`` is 12 characters and ``secret`` 52 characters (32 random bytes),
both drawn from the lowercase RFC 4648 base32 alphabet, which has no ``_``:
splitting a key on ``_`` is unambiguous. The digest is HMAC-SHA256 keyed with
the server's pepper over a versioned label, the key id and the secret, so a
digest copied onto another key's row does not verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

from pearl_core.errors import ConfigurationError

__all__ = [
    "DUMMY_DIGEST",
    "UNUSABLE",
    "KeyParts",
    "digest_secret",
    "new_api_key",
    "require_pepper",
    "split_api_key",
]

_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz234567"
_KEY_ID_LENGTH: Final = 12
_SECRET_BYTES: Final = 32
_SECRET_LENGTH: Final = 52  # 256 bits in base32, without padding
_KEY_RE: Final = re.compile(rf"pearl_([a-z2-7]{{{_KEY_ID_LENGTH}}})_([a-z2-7]{{{_SECRET_LENGTH}}})")
_KEY_LENGTH: Final = len("pearl__") + _KEY_ID_LENGTH + _SECRET_LENGTH
_LABEL: Final = b"pearl-api-key-v1\x00"
_MIN_PEPPER: Final = 32


@dataclass(frozen=True, slots=True)
class KeyParts:
    key_id: str
    secret: str


UNUSABLE: Final = KeyParts(key_id="0" * _KEY_ID_LENGTH, secret="0" * _SECRET_LENGTH)
"""Stands in for a malformed key: ``0`` is not in the alphabet, so no key has this id."""

DUMMY_DIGEST: Final = "0" * 64
"""Compared against when no key was found, so that path costs what a found key costs."""


def new_api_key() -> tuple[str, KeyParts]:
    """A fresh key as shown to its owner (once), and its parts."""
    key_id = "".join(secrets.choice(_ALPHABET) for _ in range(_KEY_ID_LENGTH))
    raw = base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")
    parts = KeyParts(key_id=key_id, secret=raw.rstrip("=").lower())
    return f"pearl_{parts.key_id}_{parts.secret}", parts


def split_api_key(credential: str) -> KeyParts | None:
    """The parts of a well-formed key, or None."""
    if len(credential) != _KEY_LENGTH:
        return None
    match = _KEY_RE.fullmatch(credential)
    return None if match is None else KeyParts(key_id=match[1], secret=match[2])


def digest_secret(pepper: bytes, parts: KeyParts) -> str:
    """Hex HMAC-SHA256 of the key's secret (bound to its id), keyed with ``pepper``."""
    message = _LABEL + parts.key_id.encode("ascii") + b"\x00" + parts.secret.encode("ascii")
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def require_pepper(pepper: bytes | None) -> bytes:
    """``pepper`` if it is long enough; ``configuration_error`` otherwise."""
    if pepper is None or len(pepper) < _MIN_PEPPER:
        raise ConfigurationError(
            f"PEARL_API_KEY_PEPPER must be set to a secret of at least {_MIN_PEPPER} characters",
            setting="PEARL_API_KEY_PEPPER",
        )
    return pepper
