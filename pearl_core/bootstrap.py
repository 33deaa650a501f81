"""The composition root: the one place that builds PeaRL's object graph.

Entrypoints build :class:`~pearl_core.settings.Settings` from the environment,
call :func:`bootstrap` once, and use the returned :class:`Pearl`. Nothing is
built at import time or in a default argument.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pearl_core.auth import SigningKeyRing, TokenIssuer, TokenVerifier, http_fetch
from pearl_core.auth.settings import KEYS_DIR_NAME
from pearl_core.clock import Clock, SystemClock
from pearl_core.context.signing import ContextSigner, KeyFileSigner
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal
from pearl_core.ingest.pipeline import IngestLimits
from pearl_core.logging import configure_logging
from pearl_core.packet_cache import PacketCache
from pearl_core.policy.regorus_engine import RegorusEngine
from pearl_core.ports import UnitOfWork
from pearl_core.services.authentication import Authenticator
from pearl_core.services.decision_buffer import DecisionBuffer
from pearl_core.services.guard_fast import GuardFastPath
from pearl_core.settings import Settings
from pearl_core.store import SqlStore, create_engine, migrate

__all__ = ["Pearl", "bootstrap", "local_operator"]


@dataclass(frozen=True, slots=True)
class Pearl:
    """The running PeaRL: settings, the store, the clock and the signer, wired together."""

    settings: Settings
    store: SqlStore
    clock: Clock
    signer: ContextSigner
    """Signs compiled packages; its key file is read (or created) on first use."""
    decision_buffer: DecisionBuffer
    """Writes guard-rail allows behind the request while a server runs it."""

    @property
    def guard_fast_path(self) -> GuardFastPath:
        """What a running server's guard-rail checks use (see ``guard_fast``)."""
        return GuardFastPath(self.store.packet_cache, self.decision_buffer)

    def unit_of_work(self, principal: Principal) -> UnitOfWork:
        """A fresh unit of work acting as ``principal``, scoped to its org."""
        return self.store.unit_of_work(principal)

    @property
    def ingest_limits(self) -> IngestLimits:
        """Report size and result limits, from ``PEARL_INGEST_MAX_*``."""
        ingest = self.settings.ingest
        return IngestLimits(max_bytes=ingest.max_bytes, max_results=ingest.max_results)

    @property
    def decision_mask(self) -> InputMask:
        """What the decision log masks in stored inputs, from ``PEARL_DECISION_MASK_FIELDS``."""
        return self.settings.decisions.mask

    def policy_engine(
        self,
        rego_dir: Path | None = None,
        data_dir: Path | None = None,
        *,
        require: Iterable[str] = (),
    ) -> RegorusEngine:
        """The embedded policy engine on a loaded, verified bundle.

        ``rego_dir`` defaults to the bundled ``rego/``, ``data_dir`` to
        ``PEARL_POLICIES_DIR``; a bad bundle, or one missing an entrypoint in
        ``require``, raises ``PolicyLoadError`` here.
        """
        return RegorusEngine.from_directory(
            rego_dir, data_dir or self.settings.policies_dir, require=require
        )

    def token_issuer(self, public_url: str) -> TokenIssuer:
        """PeaRL's issuer of sign-in tokens for the server at ``public_url`` (issuer and
        audience): its RS256 keys from ``PEARL_TOKEN_KEYS_DIR``, created or rotated
        here when due. Call once per server."""
        auth = self.settings.auth
        keys_dir = auth.keys_dir or self.settings.signing.key_file.parent / KEYS_DIR_NAME
        ring = SigningKeyRing.load_or_create(
            keys_dir, clock=self.clock, rotate_after=auth.key_rotate_after, retain=auth.key_retain
        )
        return TokenIssuer(
            ring, issuer=public_url, audience=public_url, clock=self.clock, leeway=auth.leeway
        )

    def authenticator(self, issuer: TokenIssuer | None = None) -> Authenticator:
        """What turns a server request's bearer credential into a principal: API keys
        (with ``PEARL_API_KEY_PEPPER``), ``issuer``'s access tokens, and tokens of the
        identity providers in ``PEARL_OIDC_ISSUERS``."""
        auth = self.settings.auth
        verifier = None
        if auth.trusted_issuers:
            verifier = TokenVerifier(
                auth.trusted_issuers, fetch=http_fetch(), clock=self.clock, leeway=auth.leeway
            )
        return Authenticator(
            self.store.credentials,
            self.clock,
            pepper=self.settings.api_key_pepper,
            issuer=issuer,
            verifier=verifier,
        )

    def system_principal(self) -> Principal:
        return Principal.system(self.settings.org_id)

    async def upgrade_database(self) -> None:
        """Apply Alembic migrations up to head (``pearl db upgrade``)."""
        await migrate.upgrade(self.settings.store.database_url)

    async def aclose(self) -> None:
        await self.store.dispose()


def bootstrap(
    settings: Settings, *, clock: Clock | None = None, configure_logs: bool = True
) -> Pearl:
    """Build PeaRL from ``settings``. Creates the SQLite directory if needed."""
    if configure_logs:
        configure_logging(settings.log)
    if settings.store.is_sqlite:
        _ensure_sqlite_dir(settings.store.database_url)
    engine = create_engine(settings.store.database_url)
    clock = clock or SystemClock()
    store = SqlStore(
        engine, clock=clock, packet_cache=PacketCache(settings.work.guard_cache_ms / 1000)
    )
    return Pearl(
        settings=settings,
        store=store,
        clock=clock,
        signer=KeyFileSigner(settings.signing.key_file),
        decision_buffer=DecisionBuffer(store.unit_of_work),
    )


def local_operator(settings: Settings, *, user: str | None = None) -> Principal:
    """The principal of a CLI opening the embedded database directly.

    Named after the OS user and limited to ``operator``: file access to the
    database never grants reviewer or admin rights.
    """
    name = user or getpass.getuser()
    return Principal(
        org_id=settings.org_id,
        subject_id=f"local:{name}",
        kind=PrincipalKind.HUMAN,
        roles=frozenset({Role.OPERATOR}),
        display_name=name,
    )


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
