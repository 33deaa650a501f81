"""Password hashing: scrypt (stdlib, OpenSSL) in a self-describing string.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (salt and hash in
standard base64), so the cost can be raised later without breaking hashes
already stored. Verification recomputes with the stored parameters and
compares in constant time.

:func:`verify_password` with ``None`` for the stored hash checks against a
dummy hash of a random password nobody knows: an unknown account costs the
same scrypt run as a wrong password, and fails the same way.

Passwords are normalised to NFKC before hashing (the same password typed on
two keyboards hashes alike) and must be 12 to 1024 characters long. Nothing
here logs or returns a password. Hashing is slow on purpose (tens of
milliseconds): async callers use :func:`hash_password_async` and
:func:`verify_password_async`, which run it in a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
import unicodedata
from typing import Final

import anyio

from pearl_core.errors import ValidationFailed

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "hash_password",
    "hash_password_async",
    "require_valid_password",
    "verify_password",
    "verify_password_async",
]

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024

_SCHEME: Final = "scrypt"
_N: Final = 2**14
_R: Final = 8
_P: Final = 1
_SALT_BYTES: Final = 16
_HASH_BYTES: Final = 32
_MAX_N: Final = 2**20
"""Refuse stored parameters beyond this cost (a corrupted row must not eat the host)."""
_MAX_RP: Final = 64


def require_valid_password(password: str) -> str:
    """``password`` if it is 12 to 1024 characters long; ``validation_failed`` otherwise.

    The error names the field and the limit, never the password.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
            reason="too_short",
            min_length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"a password has at most {MAX_PASSWORD_LENGTH} characters",
            field="password",
            reason="too_long",
            max_length=MAX_PASSWORD_LENGTH,
        )
    return password


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password`` (checked with :func:`require_valid_password`)."""
    require_valid_password(password)
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(_encode(password), salt, _N, _R, _P)
    return "$".join((_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``.

    ``None`` (no such account, or one without a password) runs the same work
    against a dummy hash and returns False. A malformed stored hash is False.
    """
    if stored is None:
        _verify(password, _dummy_hash())
        return False
    return _verify(password, stored)


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` in a worker thread (it is slow on purpose)."""
    require_valid_password(password)
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_async(password: str, stored: str | None) -> bool:
    """:func:`verify_password` in a worker thread."""
    return await anyio.to_thread.run_sync(verify_password, password, stored)


def _verify(password: str, stored: str) -> bool:
    parsed = _parse(stored)
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        # Same work as a real check, then refuse.
        _scrypt(_encode(password[:MAX_PASSWORD_LENGTH]), b"\0" * _SALT_BYTES, _N, _R, _P)
        return False
    n, r, p, salt, expected = parsed
    actual = _scrypt(_encode(password), salt, n, r, p, dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_RP and 0 < p <= _MAX_RP):
        return None
    if not salt or len(expected) < 16:
        return None
    return n, r, p, salt, expected


def _scrypt(
    secret: bytes, salt: bytes, n: int, r: int, p: int, *, dklen: int = _HASH_BYTES
) -> bytes:
    # OpenSSL needs about 128 * r * (n + p + 2) bytes; give it twice that.
    maxmem = 2 * 128 * r * (n + p + 2)
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)


def _encode(password: str) -> bytes:
    return unicodedata.normalize("NFKC", password).encode("utf-8", "surrogatepass")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once per process on first use."""
    return hash_password(secrets.token_urlsafe(32))
