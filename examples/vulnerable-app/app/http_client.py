"""Currency rates from the rates service, for order totals."""

from __future__ import annotations

import json
import ssl
import urllib.request


def parse_rates(body: bytes) -> dict[str, float]:
    """The ``rates`` object of a rates response, as currency code -> rate."""
    document = json.loads(body)
    return {str(code): float(rate) for code, rate in document["rates"].items()}


def fetch_rates(url: str, *, timeout: float = 10.0) -> dict[str, float]:
    """Download and parse the current rates from ``url``."""
    # VULNERABLE (CWE-295): certificates are not checked, so anyone on the
    # network path can serve their own rates.
    context = ssl._create_unverified_context()
    with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
        return parse_rates(response.read())
