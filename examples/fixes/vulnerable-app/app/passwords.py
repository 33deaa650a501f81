"""Password hashing for customer accounts."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt with a random salt per password (RFC 7914; OWASP's minimum cost).
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def hash_password(password: str) -> str:
    """The value to store for ``password``: ``scrypt$<salt hex>$<hash hex>``."""
    # FIXED (CWE-916): a slow, salted, memory-hard key derivation function.
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"scrypt${salt.hex()}${_scrypt(password, salt).hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` value from :func:`hash_password`."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, hash_hex = rest.partition("$")
    if scheme != "scrypt" or not salt_hex or not hash_hex:
        return False
    expected = bytes.fromhex(hash_hex)
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt_hex)), expected)
