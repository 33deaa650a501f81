"""The signing keys of one external issuer, fetched from its JWKS URI and cached.

A :class:`JwksCache` is bound to one issuer: the verifier picks the cache by the
token's ``iss``, so a key published by issuer A can never verify a token that
claims issuer B.

Fetching is bounded so that tokens cannot drive traffic:

* a known ``kid`` is answered from memory (no I/O) while the copy is younger
  than ``ttl``; after that the next lookup refetches once;
* an unknown ``kid`` refetches at most once per ``cooldown`` (measured from the
  last fetch, successful or not), and concurrent lookups share that one fetch:
  1,000 random ``kid`` values cost at most one request per cooldown;
* a failed fetch keeps the cached keys.

Only ``RSA`` (2048 bits or more) and ``EC`` P-256 keys meant for signatures are
loaded, from their public members only; symmetric (``oct``) and other keys are
skipped. A key is bound to its ``alg`` (RS256 or PS256 for RSA, ES256 for EC),
or, without one, to RS256 or ES256; a token must use exactly that algorithm.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import anyio
import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pearl_core.auth.claims import KID_PATTERN, refuse
from pearl_core.clock import Clock
from pearl_core.errors import PearlError

__all__ = ["Fetch", "JwksCache", "check_url", "http_fetch", "is_fetchable", "parse_jwks"]

#: ``url -> body``. Raises :class:`~pearl_core.errors.PearlError` (``http_fetch``
#: raises ``Unauthenticated`` with reason ``fetch_failed``) or ``OSError``.
Fetch = Callable[[str], Awaitable[bytes]]

_LOOPBACK: Final = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_REDIRECTS: Final = 3
_MAX_KEYS: Final = 100
_MIN_RSA_BITS: Final = 2048
#: The members a public key is built from; private members are never read.
_PUBLIC_MEMBERS: Final = {
    "RSA": ("kty", "kid", "alg", "n", "e"),
    "EC": ("kty", "kid", "alg", "crv", "x", "y"),
}


def is_fetchable(url: str) -> bool:
    """True for an absolute https URL, or http to a loopback host."""
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError):
        return False
    loopback = parsed.host in _LOOPBACK or _is_loopback_ip(parsed.host)
    return bool(parsed.host) and parsed.scheme in ("https", "http" if loopback else "https")


def check_url(url: str) -> httpx2.URL:
    """``url`` parsed; ``fetch_failed`` unless it :func:`is_fetchable`."""
    if not is_fetchable(url):
        raise refuse("fetch_failed")
    return httpx2.URL(url)


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_fetch(*, timeout_s: float = 5.0, max_bytes: int = 1_000_000) -> Fetch:
    """A :data:`Fetch` over HTTP: GET, https only (http to loopback), at most ``max_bytes``,
    the whole exchange within ``timeout_s``, redirects followed only within one origin."""

    async def fetch(url: str) -> bytes:
        target = check_url(url)
        try:
            with anyio.fail_after(timeout_s):
                async with httpx2.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
                    for _ in range(_MAX_REDIRECTS + 1):
                        body, location = await _get(client, target, max_bytes)
                        if location is None:
                            return body
                        target = _same_origin(target, location)
        except (httpx2.HTTPError, httpx2.InvalidURL, TimeoutError, OSError):
            raise refuse("fetch_failed", url=str(target)) from None
        raise refuse("fetch_failed", url=str(target))

    return fetch


async def _get(
    client: httpx2.AsyncClient, url: httpx2.URL, max_bytes: int
) -> tuple[bytes, str | None]:
    # identity: a compressed body could inflate past the cap within a single chunk
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    async with client.stream("GET", url, headers=headers) as response:
        if response.is_redirect and "location" in response.headers:
            return b"", response.headers["location"]
        if response.status_code != 200:
            raise refuse("fetch_failed", url=str(url), status=response.status_code)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise refuse("fetch_failed", url=str(url), limit=max_bytes)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise refuse("fetch_failed", url=str(url), limit=max_bytes)
        return bytes(body), None


def _same_origin(current: httpx2.URL, location: str) -> httpx2.URL:
    target = current.join(location)
    origin = (target.scheme, target.host, target.port)
    if origin != (current.scheme, current.host, current.port):
        raise refuse("fetch_failed", url=str(current), redirect="cross_origin")
    return target


def parse_jwks(body: bytes) -> dict[str, jwt.PyJWK]:
    """The usable signing keys of a JWKS document by ``kid``; ``ValueError`` if it is not one.

    Keys without a well-formed ``kid``, not for signing, of another type, too weak,
    or sharing their ``kid`` with another key are left out."""
    document = json.loads(body)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, jwt.PyJWK] = {}
    duplicated: set[str] = set()
    for entry in document["keys"][:_MAX_KEYS]:
        parsed = _signing_key(entry)
        if parsed is None:
            continue
        kid, key = parsed
        if kid in keys:
            duplicated.add(kid)
        keys[kid] = key
    return {kid: key for kid, key in keys.items() if kid not in duplicated}


def _signing_key(entry: Any) -> tuple[str, jwt.PyJWK] | None:
    if not isinstance(entry, dict):
        return None
    kid, use, ops = entry.get("kid"), entry.get("use", "sig"), entry.get("key_ops", ["verify"])
    if (
        not isinstance(kid, str)
        or not KID_PATTERN.fullmatch(kid)
        or use != "sig"
        or not isinstance(ops, list)
        or "verify" not in ops
        or entry.get("kty") not in ("RSA", "EC")
    ):
        return None
    public = {name: entry[name] for name in _PUBLIC_MEMBERS[entry["kty"]] if name in entry}
    try:
        key = jwt.PyJWK(public)
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    material = key.key
    if isinstance(material, rsa.RSAPublicKey):
        usable = material.key_size >= _MIN_RSA_BITS and key.algorithm_name in ("RS256", "PS256")
    elif isinstance(material, ec.EllipticCurvePublicKey):
        usable = isinstance(material.curve, ec.SECP256R1) and key.algorithm_name == "ES256"
    else:
        usable = False
    return (kid, key) if usable else None


class JwksCache:
    """The keys of ONE issuer, by ``kid``; see the module docstring for when it fetches."""

    def __init__(
        self,
        jwks_uri: str,
        *,
        fetch: Fetch,
        clock: Clock,
        ttl: timedelta = timedelta(minutes=10),
        cooldown: timedelta = timedelta(seconds=60),
    ) -> None:
        check_url(jwks_uri)
        self.jwks_uri = jwks_uri
        self._fetch = fetch
        self._clock = clock
        self._ttl = ttl
        self._cooldown = cooldown
        self._keys: Mapping[str, jwt.PyJWK] = {}
        self._loaded_at: datetime | None = None
        self._fetched_at: datetime | None = None
        self._fetches = 0
        self._lock = anyio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key ``kid`` names; ``unknown_key`` (or ``keys_unavailable`` if no copy
        was ever fetched) when the issuer does not publish it."""
        if not KID_PATTERN.fullmatch(kid):
            raise refuse("malformed")
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise refuse("unknown_key" if self._loaded_at else "keys_unavailable")
        return key

    def _stale(self) -> bool:
        return self._loaded_at is None or self._clock.now() - self._loaded_at >= self._ttl

    async def _refresh(self) -> None:
        """Fetch once, unless someone fetched while we waited or within the cooldown."""
        seen = self._fetches
        async with self._lock:
            if self._fetches != seen:
                return
            now = self._clock.now()
            if self._fetched_at is not None and now - self._fetched_at < self._cooldown:
                return
            self._fetched_at, self._fetches = now, self._fetches + 1
            try:
                keys = parse_jwks(await self._fetch(self.jwks_uri))
            except (PearlError, OSError, ValueError, RecursionError):
                return  # keep what we have; the cooldown spaces out retries
            self._keys, self._loaded_at = keys, now
