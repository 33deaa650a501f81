"""PeaRL's own token-signing keys: RSA 2048, RS256, each named by its ``kid``.

The ``kid`` is the RFC 7638 thumbprint of the public key. The newest key signs;
older keys keep verifying until they retire, ``rotate_after + retain`` after
they were created (``retain`` should cover the longest token lifetime, so a
token signed just before a rotation stays verifiable until it expires).

On disk (:meth:`SigningKeyRing.load_or_create`) each key is an unencrypted
PKCS#8 PEM file ``key-<seq>.pem``, mode 0600, in a directory of mode 0700, its
creation time in a ``created:`` line of explanatory text before the PEM block
(RFC 7468 §5.2); files that group or others may read are refused, as ``ssh``
does.
Replicas may share the directory: a key is created under a new sequence number
with an exclusive link, so two replicas rotating at once agree on one key, and
a ring reloads the directory (at most once a minute) when asked for a ``kid``
it does not hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from pearl_core.clock import Clock
from pearl_core.errors import ConfigurationError

__all__ = ["SIGNING_ALGORITHM", "SigningKeyRing"]

SIGNING_ALGORITHM: Final = "RS256"
_SETTING: Final = "PEARL_TOKEN_KEYS_DIR"
_RSA_BITS: Final = 2048
_FILE = re.compile(r"key-(\d{6})\.pem")
_STAMP: Final = "%Y-%m-%dT%H:%M:%S.%fZ"
_CREATED = re.compile(rb"^created: (\S+)$", re.MULTILINE)
_RELOAD_COOLDOWN: Final = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str
    seq: int
    created_at: datetime
    private_key: rsa.RSAPrivateKey
    public: jwt.PyJWK
    document: Mapping[str, str]
    """The public JWK: ``kty``, ``n``, ``e``, ``kid``, ``alg``, ``use``."""


def _make_key(private_key: rsa.RSAPrivateKey, seq: int, created_at: datetime) -> _Key:
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}  # RFC 7638 §3.2, in order
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode("ascii")).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    document = {**members, "kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"}
    return _Key(kid, seq, created_at.astimezone(UTC), private_key, jwt.PyJWK(document), document)


def _generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)


class SigningKeyRing:
    """The keys PeaRL signs its tokens with; build with :meth:`load_or_create` or
    :meth:`generate` (in memory, never rotates or retires on its own)."""

    def __init__(
        self,
        keys: list[_Key],
        *,
        clock: Clock,
        directory: Path | None = None,
        rotate_after: timedelta | None = None,
        retain: timedelta | None = None,
    ) -> None:
        self._keys = sorted(keys, key=lambda key: key.seq)
        self._clock = clock
        self._directory = directory
        self._rotate_after = rotate_after
        self._retain = retain
        self._reloaded_at = clock.now()

    @classmethod
    def generate(cls, *, clock: Clock) -> SigningKeyRing:
        return cls([_make_key(_generate(), 1, clock.now())], clock=clock)

    @classmethod
    def load_or_create(
        cls, directory: Path, *, clock: Clock, rotate_after: timedelta, retain: timedelta
    ) -> SigningKeyRing:
        """The ring stored in ``directory``: created with its first key if empty, rotated
        if the newest key is older than ``rotate_after``, retired keys deleted."""
        if rotate_after <= timedelta(0) or retain < timedelta(0):
            raise ConfigurationError(
                "key rotation needs a positive period and a non-negative retention",
                setting="PEARL_TOKEN_KEY_ROTATE_DAYS",
            )
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.name == "posix" and directory.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigurationError(
                    f"{directory} is accessible to group or others; chmod 700 it",
                    setting=_SETTING,
                    path=str(directory),
                )
        except OSError as exc:
            raise _unusable(directory, exc) from None
        ring = cls(
            _read_all(directory),
            clock=clock,
            directory=directory,
            rotate_after=rotate_after,
            retain=retain,
        )
        ring._rotate_if_due()
        ring._delete_retired()
        return ring

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The ``kid`` of every key that still verifies, oldest first."""
        return tuple(key.kid for key in self._live())

    def rotate(self) -> str:
        """Create a new key that signs from now on; returns its ``kid``. Older keys
        keep verifying until they retire."""
        return self._add_key(adopt_newer=False).kid

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document: every key that still verifies."""
        return {"keys": [dict(key.document) for key in self._live()]}

    def signing_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        """The newest key (rotating first if it is due), as ``(kid, private key)``."""
        self._rotate_if_due()
        newest = self._keys[-1]
        return newest.kid, newest.private_key

    def public_key(self, kid: str) -> jwt.PyJWK | None:
        """The verification key ``kid`` names, if it has not retired."""
        found = self._find(kid)
        if found is None and self._directory is not None:
            now = self._clock.now()
            if now - self._reloaded_at >= _RELOAD_COOLDOWN:
                self._reloaded_at = now
                self._reload()
                found = self._find(kid)
        return found

    def _find(self, kid: str) -> jwt.PyJWK | None:
        return next((key.public for key in self._live() if key.kid == kid), None)

    def _live(self) -> list[_Key]:
        if self._rotate_after is None or self._retain is None:
            return list(self._keys)
        cutoff = self._clock.now() - self._rotate_after - self._retain
        return [key for key in self._keys[:-1] if key.created_at >= cutoff] + self._keys[-1:]

    def _rotate_if_due(self) -> None:
        due = (
            self._rotate_after is not None
            and bool(self._keys)
            and (self._clock.now() - self._keys[-1].created_at >= self._rotate_after)
        )
        if due or not self._keys:
            self._add_key(adopt_newer=True)

    def _add_key(self, *, adopt_newer: bool) -> _Key:
        now = self._clock.now()
        if self._directory is None:
            key = _make_key(_generate(), (self._keys[-1].seq if self._keys else 0) + 1, now)
            self._keys.append(key)
            return key
        for _ in range(5):
            seq = (self._keys[-1].seq if self._keys else 0) + 1
            private_key = _generate()
            try:
                _write(self._directory, seq, now, private_key)
            except FileExistsError:
                newest = self._keys[-1].seq if self._keys else 0
                self._reload()
                if adopt_newer and self._keys and self._keys[-1].seq > newest:
                    return self._keys[-1]  # another replica rotated first: its key wins
                continue
            except OSError as exc:
                raise _unusable(self._directory, exc) from None
            key = _make_key(private_key, seq, now)
            self._keys.append(key)
            return key
        raise ConfigurationError("could not create a new token-signing key", setting=_SETTING)

    def _reload(self) -> None:
        if self._directory is not None:
            self._keys = sorted(_read_all(self._directory), key=lambda key: key.seq)

    def _delete_retired(self) -> None:
        if self._directory is None:
            return
        live = {key.seq for key in self._live()}
        for key in self._keys:
            if key.seq not in live:
                (self._directory / _file_name(key.seq)).unlink(missing_ok=True)
        self._keys = [key for key in self._keys if key.seq in live]


def _file_name(seq: int) -> str:
    return f"key-{seq:06d}.pem"


def _read_all(directory: Path) -> list[_Key]:
    keys = []
    try:
        for path in sorted(directory.iterdir()):
            match = _FILE.fullmatch(path.name)
            if match is not None:
                created_at, private_key = _read_key(path)
                keys.append(_make_key(private_key, int(match[1]), created_at))
    except OSError as exc:
        raise _unusable(directory, exc) from None
    return keys


def _read_key(path: Path) -> tuple[datetime, rsa.RSAPrivateKey]:
    """A key file: explanatory text with a ``created:`` line (RFC 7468 §5.2), then the PEM."""
    with path.open("rb") as file:
        if os.name == "posix" and os.fstat(file.fileno()).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(
                f"the token-signing key {path} is accessible to group or others; chmod 600 it",
                setting=_SETTING,
                path=str(path),
            )
        pem = file.read()
    created = _CREATED.search(pem)
    key: object
    created_at: datetime | None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        created_at = datetime.strptime(created[1].decode(), _STAMP) if created else None
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # Refused just below, without the parser's message (it may quote the file).
        key, created_at = None, None
    if created_at is None or not isinstance(key, rsa.RSAPrivateKey) or key.key_size < _RSA_BITS:
        raise ConfigurationError(
            f"{path} is not a PeaRL token-signing key (RSA {_RSA_BITS}+ bits, unencrypted)",
            setting=_SETTING,
            path=str(path),
        )
    return created_at.replace(tzinfo=UTC), key


def _write(directory: Path, seq: int, created_at: datetime, key: rsa.RSAPrivateKey) -> None:
    """Write the key without ever exposing a partial or readable file; ``FileExistsError``
    if a key with this sequence number exists (another replica's)."""
    text = f"PeaRL token-signing key\ncreated: {created_at.astimezone(UTC).strftime(_STAMP)}\n"
    pem = text.encode("ascii") + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = directory / f".key-{seq:06d}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        os.link(temporary, directory / _file_name(seq))
    finally:
        temporary.unlink(missing_ok=True)


def _unusable(directory: Path, exc: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"cannot use the token-signing keys in {directory}: {exc.strerror}",
        setting=_SETTING,
        path=str(directory),
    )
