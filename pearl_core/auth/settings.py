"""Token settings: one small frozen object, built once from a mapping by the entrypoint.

====================================  ==========================================  ==============
variable                              meaning                                     default
====================================  ==========================================  ==============
``PEARL_PUBLIC_URL``                  the server's canonical URL: the audience    none: PeaRL
                                      every token must name and the issuer of     mints no
                                      PeaRL's own tokens (https; http only on     tokens
                                      localhost)
``PEARL_JWT_ALGORITHMS``              signature algorithms accepted from          ``RS256,ES256``
                                      external issuers; only RS256, PS256 and
                                      ES256 may be listed
``PEARL_JWT_LEEWAY_SECONDS``          clock skew tolerated on ``exp``/``nbf``/    30 (max 120)
                                      ``iat``
``PEARL_TOKEN_KEYS_DIR``              PeaRL's token-signing keys (mode 0700)      ``token-keys``
                                                                                  in the data dir
``PEARL_ACCESS_TOKEN_TTL_SECONDS``    lifetime of an access token                 900
``PEARL_REFRESH_TOKEN_TTL_SECONDS``   lifetime of a refresh token                 2592000 (30 d)
``PEARL_TOKEN_KEY_ROTATE_DAYS``       a new signing key after this many days      30
``PEARL_OIDC_ISSUERS``                external issuers PeaRL trusts, as JSON      none
====================================  ==========================================  ==============

``PEARL_OIDC_ISSUERS`` is a JSON list of objects::

    [{"issuer": "https://idp.example.com/realms/eng", "org_id": "org_eng",
      "kind": "human", "role_claim": "groups",
      "role_map": {"pearl-reviewers": ["reviewer"], "eng": ["operator"]}},
     {"issuer": "https://token.actions.githubusercontent.com", "org_id": "org_eng",
      "kind": "service_account", "role_claim": "repository",
      "role_map": {"eng/payments": ["operator"]}}]

Keys: ``issuer``, ``org_id``, ``kind`` (``human`` or ``service_account``) and
``role_map`` are required; ``audience`` defaults to ``PEARL_PUBLIC_URL``,
``algorithms`` to ``PEARL_JWT_ALGORITHMS`` (and may only narrow it),
``jwks_uri`` to OpenID Connect discovery; ``role_claim`` (``groups``),
``subject_claim`` (``sub``) and ``token_kinds`` (``["access", "id"]``) are
optional. Unknown keys are refused, so a typo cannot silently loosen anything.
Old signing keys keep verifying for :attr:`AuthSettings.key_retain` after they
are superseded: the refresh-token lifetime plus the leeway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from pearl_core.auth.claims import DEFAULT_ALGORITHMS, MAX_LEEWAY, check_algorithms
from pearl_core.auth.jwks import is_fetchable
from pearl_core.auth.verify import TrustedIssuer
from pearl_core.errors import ConfigurationError

__all__ = ["KEYS_DIR_NAME", "AuthSettings"]

KEYS_DIR_NAME: Final = "token-keys"
_ISSUERS: Final = "PEARL_OIDC_ISSUERS"
_ISSUER_KEYS: Final = frozenset(
    {
        "issuer",
        "audience",
        "jwks_uri",
        "org_id",
        "kind",
        "role_claim",
        "role_map",
        "subject_claim",
        "algorithms",
        "token_kinds",
    }
)
_REQUIRED_KEYS: Final = frozenset({"issuer", "org_id", "kind", "role_map"})


@dataclass(frozen=True, slots=True)
class AuthSettings:
    """How PeaRL mints and verifies tokens; see the module docstring for each field."""

    public_url: str | None = None
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    leeway_s: int = 30
    keys_dir: Path | None = None
    access_ttl_s: int = 900
    refresh_ttl_s: int = 30 * 86_400
    key_rotate_days: int = 30
    trusted_issuers: tuple[TrustedIssuer, ...] = ()

    def __post_init__(self) -> None:
        check_algorithms(self.algorithms, setting="PEARL_JWT_ALGORITHMS")
        if not 0 <= self.leeway_s <= MAX_LEEWAY.total_seconds():
            raise ConfigurationError(
                f"PEARL_JWT_LEEWAY_SECONDS must be between 0 and {int(MAX_LEEWAY.total_seconds())}",
                setting="PEARL_JWT_LEEWAY_SECONDS",
            )
        for setting, value in (
            ("PEARL_ACCESS_TOKEN_TTL_SECONDS", self.access_ttl_s),
            ("PEARL_REFRESH_TOKEN_TTL_SECONDS", self.refresh_ttl_s),
            ("PEARL_TOKEN_KEY_ROTATE_DAYS", self.key_rotate_days),
        ):
            if value < 1:
                raise ConfigurationError(f"{setting} must be a positive integer", setting=setting)
        if self.public_url is not None and not _is_canonical_url(self.public_url):
            raise ConfigurationError(
                "PEARL_PUBLIC_URL must be an https URL (http only on localhost), "
                "without query or fragment",
                setting="PEARL_PUBLIC_URL",
            )
        for trusted in self.trusted_issuers:
            if trusted.issuer == self.public_url:
                raise ConfigurationError(
                    "PeaRL cannot trust its own URL as an external issuer", setting=_ISSUERS
                )
            if not set(trusted.algorithms) <= set(self.algorithms):
                raise ConfigurationError(
                    f"issuer {trusted.issuer!r} allows algorithms PEARL_JWT_ALGORITHMS does not",
                    setting=_ISSUERS,
                    issuer=trusted.issuer,
                )

    @property
    def leeway(self) -> timedelta:
        return timedelta(seconds=self.leeway_s)

    @property
    def access_ttl(self) -> timedelta:
        return timedelta(seconds=self.access_ttl_s)

    @property
    def refresh_ttl(self) -> timedelta:
        return timedelta(seconds=self.refresh_ttl_s)

    @property
    def key_rotate_after(self) -> timedelta:
        return timedelta(days=self.key_rotate_days)

    @property
    def key_retain(self) -> timedelta:
        """How long a superseded signing key keeps verifying: every token it signed
        (a refresh token at most) has expired by then."""
        return self.refresh_ttl + self.leeway

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, data_dir: Path) -> AuthSettings:
        """Build from ``env`` (``os.environ`` in entrypoints, a dict in tests)."""
        public_url = env.get("PEARL_PUBLIC_URL") or None
        raw_algorithms = env.get("PEARL_JWT_ALGORITHMS", "")
        algorithms = (
            tuple(part.strip() for part in raw_algorithms.split(",") if part.strip())
            or DEFAULT_ALGORITHMS
        )
        keys_dir = env.get("PEARL_TOKEN_KEYS_DIR")
        return cls(
            public_url=public_url,
            algorithms=algorithms,
            leeway_s=_int(env, "PEARL_JWT_LEEWAY_SECONDS", 30),
            keys_dir=Path(keys_dir) if keys_dir else data_dir / KEYS_DIR_NAME,
            access_ttl_s=_int(env, "PEARL_ACCESS_TOKEN_TTL_SECONDS", 900),
            refresh_ttl_s=_int(env, "PEARL_REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400),
            key_rotate_days=_int(env, "PEARL_TOKEN_KEY_ROTATE_DAYS", 30),
            trusted_issuers=_issuers(env.get(_ISSUERS, ""), public_url, algorithms),
        )


def _is_canonical_url(url: str) -> bool:
    return is_fetchable(url) and "?" not in url and "#" not in url


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw.replace("_", ""))
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer", setting=name) from None


def _issuers(
    raw: str, public_url: str | None, algorithms: tuple[str, ...]
) -> tuple[TrustedIssuer, ...]:
    if not raw.strip():
        return ()
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ConfigurationError(f"{_ISSUERS} must be JSON", setting=_ISSUERS) from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigurationError(f"{_ISSUERS} must be a JSON list of objects", setting=_ISSUERS)
    return tuple(_issuer(entry, public_url, algorithms) for entry in entries)


def _issuer(
    entry: dict[str, Any], public_url: str | None, algorithms: tuple[str, ...]
) -> TrustedIssuer:
    unknown, missing = sorted(set(entry) - _ISSUER_KEYS), sorted(_REQUIRED_KEYS - set(entry))
    if unknown or missing:
        raise ConfigurationError(
            f"an entry of {_ISSUERS} has unknown keys {unknown} or lacks {missing}",
            setting=_ISSUERS,
            unknown=unknown,
            missing=missing,
        )
    audience = entry.get("audience", public_url)
    role_map = entry["role_map"]
    if not isinstance(audience, str) or not isinstance(role_map, dict):
        raise ConfigurationError(
            f"an entry of {_ISSUERS} needs an audience (or PEARL_PUBLIC_URL) and a role_map object",
            setting=_ISSUERS,
        )
    if not all(isinstance(roles, list) for roles in role_map.values()):
        raise ConfigurationError(
            f"role_map values in {_ISSUERS} must be lists of roles", setting=_ISSUERS
        )
    try:
        options: dict[str, Any] = {
            name: tuple(entry[name]) if name in ("algorithms", "token_kinds") else entry[name]
            for name in ("jwks_uri", "role_claim", "subject_claim", "algorithms", "token_kinds")
            if name in entry
        }
        return TrustedIssuer(
            issuer=entry["issuer"],
            audience=audience,
            org_id=entry["org_id"],
            kind=entry["kind"],
            role_map={group: tuple(roles) for group, roles in role_map.items()},
            **{"algorithms": algorithms, **options},
        )
    except TypeError:
        raise ConfigurationError(
            f"an entry of {_ISSUERS} has a value of the wrong type", setting=_ISSUERS
        ) from None
