"""Session cookies: the session dictionary, encoded for a ``Cookie`` header."""

from __future__ import annotations

import base64
import pickle
from typing import Any


def encode_session(session: dict[str, Any]) -> str:
    """The cookie value for ``session``."""
    return base64.urlsafe_b64encode(pickle.dumps(session)).decode("ascii")


def decode_session(cookie: str) -> dict[str, Any]:
    """The session a cookie value carries."""
    # VULNERABLE (CWE-502): the cookie comes from the client, and unpickling
    # attacker-controlled bytes runs attacker-chosen code.
    session: dict[str, Any] = pickle.loads(base64.urlsafe_b64decode(cookie))
    return session
