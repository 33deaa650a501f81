"""Settings: small frozen objects built once, by the entrypoint, from a mapping.

Nothing in PeaRL reads ``os.environ`` except :meth:`Settings.from_env`, which
the CLI and server call once with ``os.environ`` (tests pass a dict).

============================  =========================================  ======================
variable                      meaning                                    default
============================  =========================================  ======================
``PEARL_DATABASE_URL``        SQLAlchemy async URL (sqlite+aiosqlite or  SQLite file in the
                              postgresql+asyncpg)                        user data dir
``PEARL_DATA_DIR``            where the embedded database and the        platform user data dir
                              signing key live
``PEARL_SIGNING_KEY_FILE``    Ed25519 private key (PEM) that signs       ``signing-key.pem`` in
                              compiled context packages; created, mode   the data dir
                              0600, on first use
``PEARL_ORG_ID``              the org a local CLI principal acts in      ``org_default``
``PEARL_POLICIES_DIR``        default policy data (baseline, profiles)   bundled ``policies/``
``PEARL_LOG_LEVEL``           debug, info, warning, error                ``warning``
``PEARL_LOG_FORMAT``          ``json`` or ``console``                    ``json``
``PEARL_INGEST_MAX_BYTES``    largest scanner report accepted, in bytes  268435456 (256 MiB)
``PEARL_INGEST_MAX_RESULTS``  most results one scanner report may hold   500000
``PEARL_PACKET_TTL_SECONDS``  how long a new task packet may be worked   86400 (a day)
``PEARL_LEASE_TTL_SECONDS``   how long a claim lasts without a heartbeat 900 (15 minutes)
``PEARL_APPROVAL_TTL_SECONDS`` how long an approval request stays open   3600 (an hour)
``PEARL_MAX_DENIED_ATTEMPTS`` guard-rail denials that revoke a lease     5
``PEARL_GUARD_CACHE_MS``      how long a server's guard rail may answer  1000; 0 turns the
                              an allowed action from a packet it read    fast path off
                              before (other processes' changes show up
                              after at most this long; 0 to 10000)
``PEARL_API_KEY_PEPPER``      server secret (32+ characters) that keys   none: API keys cannot
                              the HMAC of every API key's secret; keep   be minted or checked
                              it out of the database and its backups     without it
``PEARL_API_KEY_MAX_DAYS``    longest lifetime of a new API key, in days 90
============================  =========================================  ======================

Token settings (``PEARL_PUBLIC_URL``, ``PEARL_OIDC_ISSUERS``, ``PEARL_JWT_*``,
``PEARL_*_TOKEN_TTL_SECONDS``, ``PEARL_TOKEN_*``) are
:class:`~pearl_core.auth.settings.AuthSettings`'s; its docstring lists them.

Changing ``PEARL_API_KEY_PEPPER`` invalidates every API key minted with the
old one. ``Settings`` never shows the pepper in its ``repr``.

``PEARL_DECISION_MASK_FIELDS`` lists the input fields the decision log stores
as ``***``, comma-separated: key names (masked at any depth) or dotted paths
from the root of the input. Default: ``DEFAULT_MASK_FIELDS`` of
:mod:`pearl_core.domain.decisions` (``secret``, ``token``, ``password``, …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import platformdirs

from pearl_core.auth.settings import AuthSettings
from pearl_core.domain.decisions import DEFAULT_MASK_FIELDS, InputMask
from pearl_core.errors import ConfigurationError

__all__ = [
    "DecisionLogSettings",
    "IngestSettings",
    "LogSettings",
    "Settings",
    "SigningSettings",
    "StoreSettings",
    "default_policies_dir",
]

_LOG_LEVELS = ("debug", "info", "warning", "error")
MIN_PEPPER_LENGTH = 32
DEFAULT_API_KEY_MAX_DAYS = 90
MAX_GUARD_CACHE_MS = 10_000
_URL_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
SIGNING_KEY_NAME = "signing-key.pem"


def default_policies_dir() -> Path:
    """``policies/`` of a source checkout, or the copy bundled into the wheel."""
    package_root = Path(__file__).resolve().parent
    for candidate in (package_root.parent / "policies", package_root / "_data" / "policies"):
        if candidate.is_dir():
            return candidate
    return package_root.parent / "policies"


@dataclass(frozen=True, slots=True)
class StoreSettings:
    database_url: str

    def __post_init__(self) -> None:
        if not self.database_url.startswith(_URL_SCHEMES):
            raise ConfigurationError(
                "PEARL_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://",
                setting="PEARL_DATABASE_URL",
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def redacted_url(self) -> str:
        """The URL with any password replaced, safe to print and log."""
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", self.database_url)


@dataclass(frozen=True, slots=True)
class LogSettings:
    level: str = "warning"
    json: bool = True

    def __post_init__(self) -> None:
        if self.level not in _LOG_LEVELS:
            raise ConfigurationError(
                f"PEARL_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}",
                setting="PEARL_LOG_LEVEL",
            )


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Limits on one scanner report; exceeding either is ``limit_exceeded``."""

    max_bytes: int = 256 * 1024 * 1024
    max_results: int = 500_000

    def __post_init__(self) -> None:
        for setting, value in (
            ("PEARL_INGEST_MAX_BYTES", self.max_bytes),
            ("PEARL_INGEST_MAX_RESULTS", self.max_results),
        ):
            if value < 1:
                raise ConfigurationError(f"{setting} must be a positive integer", setting=setting)


@dataclass(frozen=True, slots=True)
class SigningSettings:
    """Where the server's signing key lives (read, or created, on first use)."""

    key_file: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("pearl")) / SIGNING_KEY_NAME
    )


@dataclass(frozen=True, slots=True)
class WorkSettings:
    """Lifetimes of task packets, leases and approval requests, and the lease
    revocation threshold. All positive; times in seconds."""

    packet_ttl_s: int = 86_400
    lease_ttl_s: int = 900
    approval_ttl_s: int = 3_600
    max_denied_attempts: int = 5
    guard_cache_ms: int = 1000
    """How long a server's guard-rail fast path trusts a committed packet it read."""

    def __post_init__(self) -> None:
        if not 0 <= self.guard_cache_ms <= MAX_GUARD_CACHE_MS:
            raise ConfigurationError(
                f"PEARL_GUARD_CACHE_MS must be between 0 and {MAX_GUARD_CACHE_MS}",
                setting="PEARL_GUARD_CACHE_MS",
            )
        for setting, value in (
            ("PEARL_PACKET_TTL_SECONDS", self.packet_ttl_s),
            ("PEARL_LEASE_TTL_SECONDS", self.lease_ttl_s),
            ("PEARL_APPROVAL_TTL_SECONDS", self.approval_ttl_s),
            ("PEARL_MAX_DENIED_ATTEMPTS", self.max_denied_attempts),
        ):
            if value < 1:
                raise ConfigurationError(f"{setting} must be a positive integer", setting=setting)

    @property
    def packet_ttl(self) -> timedelta:
        return timedelta(seconds=self.packet_ttl_s)

    @property
    def lease_ttl(self) -> timedelta:
        return timedelta(seconds=self.lease_ttl_s)

    @property
    def approval_ttl(self) -> timedelta:
        return timedelta(seconds=self.approval_ttl_s)


@dataclass(frozen=True, slots=True)
class DecisionLogSettings:
    """What the decision log masks in stored inputs (see :class:`InputMask`)."""

    mask_fields: tuple[str, ...] = DEFAULT_MASK_FIELDS
    mask: InputMask = field(init=False, repr=False, compare=False)
    """``mask_fields`` parsed once: every logged decision applies it."""

    def __post_init__(self) -> None:
        try:
            mask = InputMask.of(self.mask_fields)
        except ValueError:
            raise ConfigurationError(
                "PEARL_DECISION_MASK_FIELDS must list key names or dotted paths, comma-separated",
                setting="PEARL_DECISION_MASK_FIELDS",
            ) from None
        object.__setattr__(self, "mask", mask)  # frozen: set once, here


def _fields(environ: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return tuple(part.strip() for part in raw.split(","))


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip().replace("_", ""))
    except ValueError:
        raise ConfigurationError(f"{name} must be a positive integer", setting=name) from None


@dataclass(frozen=True, slots=True)
class Settings:
    store: StoreSettings
    log: LogSettings = field(default_factory=LogSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    decisions: DecisionLogSettings = field(default_factory=DecisionLogSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    work: WorkSettings = field(default_factory=WorkSettings)
    org_id: str = "org_default"
    policies_dir: Path = field(default_factory=default_policies_dir)
    api_key_pepper: bytes | None = field(default=None, repr=False)
    """Keys the HMAC of API key secrets (``PEARL_API_KEY_PEPPER``); ``None``: unset."""
    api_key_max_days: int = DEFAULT_API_KEY_MAX_DAYS
    auth: AuthSettings = field(default_factory=AuthSettings)
    """Tokens: PeaRL's own (sign-in sessions) and trusted identity providers'."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"org_[A-Za-z0-9_-]{1,120}", self.org_id):
            raise ConfigurationError(
                "PEARL_ORG_ID must look like org_<name>", setting="PEARL_ORG_ID"
            )
        if self.api_key_pepper is not None and len(self.api_key_pepper) < MIN_PEPPER_LENGTH:
            raise ConfigurationError(
                f"PEARL_API_KEY_PEPPER must be at least {MIN_PEPPER_LENGTH} characters",
                setting="PEARL_API_KEY_PEPPER",
            )
        if self.api_key_max_days < 1:
            raise ConfigurationError(
                "PEARL_API_KEY_MAX_DAYS must be a positive integer",
                setting="PEARL_API_KEY_MAX_DAYS",
            )

    @property
    def api_key_max_lifetime(self) -> timedelta:
        return timedelta(days=self.api_key_max_days)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``environ`` (``os.environ`` in entrypoints, a dict in tests)."""
        data_dir = Path(environ.get("PEARL_DATA_DIR") or platformdirs.user_data_dir("pearl"))
        url = environ.get("PEARL_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'pearl.db'}"
        log_format = environ.get("PEARL_LOG_FORMAT", "json").lower()
        if log_format not in ("json", "console"):
            raise ConfigurationError(
                "PEARL_LOG_FORMAT must be json or console", setting="PEARL_LOG_FORMAT"
            )
        policies = environ.get("PEARL_POLICIES_DIR")
        pepper = environ.get("PEARL_API_KEY_PEPPER")
        key_file = environ.get("PEARL_SIGNING_KEY_FILE")
        ingest_defaults, work = IngestSettings(), WorkSettings()
        return cls(
            store=StoreSettings(database_url=url),
            log=LogSettings(
                level=environ.get("PEARL_LOG_LEVEL", "warning").lower(), json=log_format == "json"
            ),
            org_id=environ.get("PEARL_ORG_ID", "org_default"),
            auth=AuthSettings.from_env(environ, data_dir=data_dir),
            policies_dir=Path(policies) if policies else default_policies_dir(),
            api_key_pepper=pepper.encode() if pepper else None,
            api_key_max_days=_positive_int(
                environ, "PEARL_API_KEY_MAX_DAYS", DEFAULT_API_KEY_MAX_DAYS
            ),
            ingest=IngestSettings(
                max_bytes=_positive_int(
                    environ, "PEARL_INGEST_MAX_BYTES", ingest_defaults.max_bytes
                ),
                max_results=_positive_int(
                    environ, "PEARL_INGEST_MAX_RESULTS", ingest_defaults.max_results
                ),
            ),
            decisions=DecisionLogSettings(
                mask_fields=_fields(environ, "PEARL_DECISION_MASK_FIELDS", DEFAULT_MASK_FIELDS)
            ),
            signing=SigningSettings(
                key_file=Path(key_file) if key_file else data_dir / SIGNING_KEY_NAME
            ),
            work=WorkSettings(
                packet_ttl_s=_positive_int(environ, "PEARL_PACKET_TTL_SECONDS", work.packet_ttl_s),
                lease_ttl_s=_positive_int(environ, "PEARL_LEASE_TTL_SECONDS", work.lease_ttl_s),
                approval_ttl_s=_positive_int(
                    environ, "PEARL_APPROVAL_TTL_SECONDS", work.approval_ttl_s
                ),
                max_denied_attempts=_positive_int(
                    environ, "PEARL_MAX_DENIED_ATTEMPTS", work.max_denied_attempts
                ),
                guard_cache_ms=_positive_int(environ, "PEARL_GUARD_CACHE_MS", work.guard_cache_ms),
            ),
        )
