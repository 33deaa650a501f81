"""What both verifiers share: the verified-token record and the checks every JWT passes.

A token is refused, with :class:`~pearl_core.errors.Unauthenticated` and a
machine ``reason`` detail, at the first check it fails, in this order:

1. ``malformed`` — longer than :data:`MAX_TOKEN_BYTES`, not three base64url
   segments, a header or payload that is not a JSON object, a ``crit`` or
   ``b64`` header (no extension is supported), a ``kid`` missing or not
   matching :data:`KID_PATTERN`. None of these reach a key lookup or a fetch.
2. ``algorithm_not_allowed`` — ``alg`` not on the allow-list fixed by
   configuration (never read from the token), or not the algorithm the key is
   bound to. ``unknown_issuer`` — (external tokens) ``iss`` names no trusted
   issuer; nothing is fetched.
3. ``unknown_key`` / ``bad_signature`` — no key with that ``kid``, or the
   signature does not verify with it. While an issuer's keys or discovery
   document cannot be fetched: ``keys_unavailable``, ``issuer_unavailable``
   (``issuer_mismatch`` when the document names another issuer).
4. ``missing_claim`` (``claim`` detail), ``bad_issuer``, ``bad_audience`` —
   required claims are ``iss``, ``sub``, ``aud``, ``exp`` and ``iat``; ``aud``
   (a string or a list) must contain the configured audience. ``nbf`` is
   optional (PeaRL's own tokens always carry it).
5. ``wrong_token_kind`` — an access token presented where a refresh token is
   expected, and every other mix-up.
6. ``expired`` / ``not_yet_valid`` — ``exp``, ``nbf`` and ``iat`` against the
   injected clock (never the wall clock), with a bounded leeway.

``jku``, ``x5u``, ``jwk`` and ``x5c`` headers are ignored: keys come only from
configuration. Messages are fixed per reason and never quote the token.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import jwt

from pearl_core.errors import ConfigurationError, Unauthenticated

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "KID_PATTERN",
    "MAX_LEEWAY",
    "MAX_TOKEN_BYTES",
    "TokenKind",
    "VerifiedToken",
    "peek_issuer",
]

#: The only signature algorithms PeaRL will ever accept: asymmetric, so a
#: public key can never double as an HMAC secret.
ALLOWED_ALGORITHMS: Final = frozenset({"RS256", "PS256", "ES256"})
DEFAULT_ALGORITHMS: Final = ("RS256", "ES256")
#: Tokens longer than this are refused before any parsing.
MAX_TOKEN_BYTES: Final = 8 * 1024
#: What a ``kid`` may look like; anything else never reaches a key lookup.
KID_PATTERN: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
MAX_LEEWAY: Final = timedelta(minutes=2)

_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_MESSAGES: Final = {
    "malformed": "the token is malformed",
    "algorithm_not_allowed": "the token's signature algorithm is not allowed",
    "unknown_issuer": "the token's issuer is not trusted",
    "unknown_key": "the token is signed by an unknown key",
    "keys_unavailable": "the issuer's signing keys could not be fetched",
    "issuer_unavailable": "the issuer's configuration could not be fetched",
    "issuer_mismatch": "the issuer's discovery document names another issuer",
    "fetch_failed": "a key document could not be fetched",
    "bad_signature": "the token's signature does not verify",
    "bad_key": "the token's signing key is not acceptable",
    "missing_claim": "the token lacks a required claim",
    "bad_issuer": "the token's issuer does not match its key",
    "bad_audience": "the token is not meant for this server",
    "wrong_token_kind": "the token is of the wrong kind",
    "expired": "the token has expired",
    "not_yet_valid": "the token is not valid yet",
}


def refuse(reason: str, **details: Any) -> Unauthenticated:
    """The :class:`Unauthenticated` for ``reason``, with a fixed message."""
    return Unauthenticated(
        _MESSAGES.get(reason, "the token is not valid"), reason=reason, **details
    )


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    ID = "id"


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature, issuer, audience, kind and lifetime all checked out."""

    issuer: str
    subject: str
    kind: TokenKind
    claims: Mapping[str, Any]
    jti: str | None
    expires_at: datetime
    key_id: str


@dataclass(frozen=True, slots=True)
class Unverified:
    """A token's header and payload, parsed but *not* verified: route on them, trust nothing."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]

    @property
    def alg(self) -> str | None:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None

    @property
    def kid(self) -> str:
        """The ``kid`` header; ``malformed`` unless it matches :data:`KID_PATTERN`."""
        kid = self.header.get("kid")
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
            raise refuse("malformed")
        return kid


def parse_unverified(token: object) -> Unverified:
    """Split a compact JWS and parse its header and payload, checking shape and size only."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES or not _COMPACT.fullmatch(token):
        raise refuse("malformed")
    header_segment, payload_segment, _ = token.split(".")
    header, payload = _json_object(header_segment), _json_object(payload_segment)
    if "crit" in header or "b64" in header:
        raise refuse("malformed")
    return Unverified(header=header, payload=payload)


def peek_issuer(token: str) -> str | None:
    """The *unverified* ``iss`` of ``token`` (``None`` if unreadable): for routing a token
    to the verifier that owns its issuer, never for trusting it."""
    try:
        issuer = parse_unverified(token).payload.get("iss")
    except Unauthenticated:
        return None
    return issuer if isinstance(issuer, str) else None


def _json_object(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise refuse("malformed") from None
    if not isinstance(value, dict):
        raise refuse("malformed")
    return value


def check_algorithms(algorithms: Iterable[str], *, setting: str) -> tuple[str, ...]:
    """``algorithms`` as a tuple; ``configuration_error`` if empty or any is not allowed."""
    chosen = tuple(algorithms)
    wrong = sorted(set(chosen) - ALLOWED_ALGORITHMS)
    if not chosen or wrong:
        raise ConfigurationError(
            f"{setting} may only list {', '.join(sorted(ALLOWED_ALGORITHMS))}",
            setting=setting,
            rejected=wrong,
        )
    return chosen


def check_leeway(leeway: timedelta, max_leeway: timedelta = MAX_LEEWAY) -> timedelta:
    """``leeway``; ``configuration_error`` if negative or above ``max_leeway``."""
    if not timedelta(0) <= leeway <= max_leeway:
        raise ConfigurationError(
            f"the clock-skew leeway must be between 0 and {int(max_leeway.total_seconds())} s",
            setting="PEARL_JWT_LEEWAY_SECONDS",
        )
    return leeway


_REQUIRED: Final = ("iss", "sub", "aud", "exp", "iat")


def decode(
    token: str,
    key: jwt.PyJWK,
    *,
    issuer: str,
    audience: str,
    required: Iterable[str] = (),
) -> dict[str, Any]:
    """The verified payload of ``token``: signature by ``key`` (with the algorithm the key
    is bound to), ``iss``, ``aud`` and required claims. Times are checked by
    :func:`check_times` against the injected clock, not here."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[key.algorithm_name],
            audience=audience,
            issuer=issuer,
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "require": [*_REQUIRED, *required],
                "enforce_minimum_key_length": True,
            },
        )
    except jwt.InvalidAlgorithmError:
        raise refuse("algorithm_not_allowed") from None
    except jwt.InvalidSignatureError:
        raise refuse("bad_signature") from None
    except jwt.MissingRequiredClaimError as exc:
        raise refuse("missing_claim", claim=exc.claim) from None
    except jwt.InvalidAudienceError:
        raise refuse("bad_audience") from None
    except jwt.InvalidIssuerError:
        raise refuse("bad_issuer") from None
    except jwt.InvalidKeyError:
        raise refuse("bad_key") from None
    except jwt.PyJWTError:
        raise refuse("malformed") from None
    return payload


def check_times(claims: Mapping[str, Any], *, now: datetime, leeway: timedelta) -> datetime:
    """When the token expires; ``expired`` or ``not_yet_valid`` against ``now`` ± ``leeway``."""
    exp, iat = _numeric_date(claims, "exp"), _numeric_date(claims, "iat")
    nbf = _numeric_date(claims, "nbf") if "nbf" in claims else None
    at, slack = now.timestamp(), leeway.total_seconds()
    if exp <= at - slack:
        raise refuse("expired")
    if iat > at + slack or (nbf is not None and nbf > at + slack):
        raise refuse("not_yet_valid")
    return datetime.fromtimestamp(exp, UTC)


_LATEST: Final = datetime(9999, 1, 1, tzinfo=UTC).timestamp()


def _numeric_date(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value < _LATEST
    ):
        raise refuse("malformed", claim=name)
    return float(value)


def string_claim(claims: Mapping[str, Any], name: str, *, max_length: int = 255) -> str:
    """A required, non-empty string claim; ``missing_claim`` otherwise."""
    value = claims.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise refuse("missing_claim", claim=name)
    return value


def optional_string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None
