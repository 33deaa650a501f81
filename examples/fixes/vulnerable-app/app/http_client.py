"""Currency rates from the rates service, for order totals."""

from __future__ import annotations

import json
import ssl
import urllib.request
from urllib.parse import urlsplit


def parse_rates(body: bytes) -> dict[str, float]:
    """The ``rates`` object of a rates response, as currency code -> rate."""
    document = json.loads(body)
    return {str(code): float(rate) for code, rate in document["rates"].items()}


def fetch_rates(url: str, *, timeout: float = 10.0) -> dict[str, float]:
    """Download and parse the current rates from ``url`` (HTTPS only)."""
    if urlsplit(url).scheme != "https":
        raise ValueError(f"rates must be fetched over https, not {url!r}")
    # FIXED (CWE-295): the default context checks the certificate and host name.
    context = ssl.create_default_context()
    with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310 -- scheme checked above
        return parse_rates(response.read())
