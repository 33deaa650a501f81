"""Session cookies: the session dictionary, encoded for a ``Cookie`` header."""

from __future__ import annotations

import base64
import json
from typing import Any


def encode_session(session: dict[str, Any]) -> str:
    """The cookie value for ``session`` (JSON-compatible values only)."""
    data = json.dumps(session, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii")


def decode_session(cookie: str) -> dict[str, Any]:
    """The session a cookie value carries."""
    # FIXED (CWE-502): JSON can only produce plain data, never call code.
    session = json.loads(base64.urlsafe_b64decode(cookie))
    if not isinstance(session, dict):
        raise ValueError("a session cookie must hold a JSON object")
    return session
