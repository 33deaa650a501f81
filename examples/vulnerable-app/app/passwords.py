"""Password hashing for customer accounts."""

from __future__ import annotations

import hashlib
import hmac


def hash_password(password: str) -> str:
    """The value to store for ``password``."""
    # VULNERABLE (CWE-916): MD5 is fast and unsalted, so stolen hashes fall to
    # a dictionary attack in seconds.
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` value from :func:`hash_password`."""
    return hmac.compare_digest(hash_password(password), stored)
