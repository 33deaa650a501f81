"""Sign compiled packages with the server's Ed25519 key, and verify them offline.

Scheme (``integrity`` of ``package_metadata``):

* ``hash`` — SHA-256 of the content, ``hash_alg`` ``sha256``
  (:func:`~pearl_core.context.digest.package_hash`);
* ``signature`` — standard base64 of the Ed25519 signature over
  :func:`~pearl_core.context.digest.signed_bytes` (the whole package minus
  ``signature``, as RFC 8785 canonical JSON);
* ``key_id`` — the first 16 hex digits of SHA-256 over the raw 32-byte public
  key; ``signer`` is ``pearl``; ``signed`` is true.

Anyone holding the public key (``pearl context public-key``) can check a
package with no access to PeaRL: :func:`verify_package` raises
:class:`~pearl_core.errors.SignatureInvalid` for an unsigned package, an
unknown key, a content hash that does not match, or a bad signature.

The private key is a PKCS#8 PEM file (``PEARL_SIGNING_KEY_FILE``). PeaRL
creates it with mode 0600 on first use and refuses one that group or others
may read, as ``ssh`` does. Replicas that share packages must share the file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pearl_core.context.digest import package_hash, signed_bytes
from pearl_core.domain.common import Integrity
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.enums import HashAlg
from pearl_core.errors import ConfigurationError, SignatureInvalid

__all__ = [
    "SIGNER_NAME",
    "ContextSigner",
    "Ed25519Signer",
    "KeyFileSigner",
    "key_id_of",
    "load_public_key",
    "public_key_pem",
    "sign_package",
    "verify_package",
]

SIGNER_NAME: Final = "pearl"
_SETTING: Final = "PEARL_SIGNING_KEY_FILE"


class ContextSigner(Protocol):
    """What compiling needs from a signing key (an HSM or KMS adapter fits too)."""

    @property
    def key_id(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> Ed25519PublicKey: ...


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; ``configuration_error`` for anything else."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigurationError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError("the public key is not an Ed25519 key")
    return key


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The key as a SubjectPublicKeyInfo PEM, what :func:`load_public_key` reads."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class Ed25519Signer:
    """A signer holding an Ed25519 private key in memory."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._key_id = key_id_of(private_key.public_key())

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> Ed25519Signer:
        """Load an unencrypted PKCS#8 PEM; ``configuration_error`` if it is not Ed25519."""
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise ConfigurationError(
                "the signing key is not an unencrypted PEM private key", setting=_SETTING
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("the signing key is not an Ed25519 key", setting=_SETTING)
        return cls(key)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> Ed25519Signer:
        """Load the key at ``path``; create it (mode 0600) if missing and ``create``."""
        try:
            try:
                return cls._read(path)
            except FileNotFoundError:
                if not create:
                    raise ConfigurationError(
                        f"no signing key at {path}", setting=_SETTING, path=str(path)
                    ) from None
            _write_new_key(path)
            return cls._read(path)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot use the signing key {path}: {exc.strerror}",
                setting=_SETTING,
                path=str(path),
            ) from None

    @classmethod
    def _read(cls, path: Path) -> Ed25519Signer:
        with path.open("rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigurationError(
                    f"the signing key {path} is accessible to group or others; chmod 600 it",
                    setting=_SETTING,
                    path=str(path),
                )
            return cls.from_pem(file.read())

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._private_key.public_key()


class KeyFileSigner:
    """The server's signer: reads (or creates) its key file on first use only,
    so commands that never sign never touch the key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: Ed25519Signer | None = None

    def load(self) -> Ed25519Signer:
        if self._loaded is None:
            self._loaded = Ed25519Signer.from_file(self.path)
        return self._loaded

    @property
    def key_id(self) -> str:
        return self.load().key_id

    def sign(self, data: bytes) -> bytes:
        return self.load().sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self.load().public_key()


def _write_new_key(path: Path) -> None:
    """Write a fresh key without ever exposing a partial or world-readable file.

    The key goes to a private temporary file that is then hard-linked into
    place, which fails if another process created the key first (its key wins).
    """
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def sign_package(package: CompiledContextPackage, signer: ContextSigner) -> CompiledContextPackage:
    """``package`` with its hash recomputed and signed by ``signer``."""
    integrity = package.package_metadata.integrity.model_copy(
        update={
            "signed": True,
            "signer": SIGNER_NAME,
            "key_id": signer.key_id,
            "hash_alg": HashAlg.SHA256,
            "hash": package_hash(package),
            "signature": None,
        }
    )
    unsigned = _with_integrity(package, integrity)
    signature = base64.b64encode(signer.sign(signed_bytes(unsigned))).decode("ascii")
    return _with_integrity(unsigned, integrity.model_copy(update={"signature": signature}))


def verify_package(
    package: CompiledContextPackage, public_keys: Mapping[str, Ed25519PublicKey]
) -> None:
    """Return if ``package`` is intact and signed by one of ``public_keys`` (by key id);
    raise ``signature_invalid`` otherwise."""
    integrity = package.package_metadata.integrity
    details = {"package_id": package.package_id, "key_id": integrity.key_id}
    if not integrity.signed or integrity.signature is None:
        raise SignatureInvalid("the package is not signed", **details)
    public_key = public_keys.get(integrity.key_id or "")
    if public_key is None:
        raise SignatureInvalid("the package is signed by an unknown key", **details)
    if integrity.hash_alg is not HashAlg.SHA256 or integrity.hash != package_hash(package):
        raise SignatureInvalid("the package content does not match its hash", **details)
    try:
        public_key.verify(
            base64.b64decode(integrity.signature, validate=True), signed_bytes(package)
        )
    except (InvalidSignature, binascii.Error):
        raise SignatureInvalid("the package signature does not verify", **details) from None


def _with_integrity(
    package: CompiledContextPackage, integrity: Integrity
) -> CompiledContextPackage:
    metadata = package.package_metadata.model_copy(update={"integrity": integrity})
    return package.model_copy(update={"package_metadata": metadata})
