"""Sign task packets with the server's Ed25519 key, and verify them offline.

The scheme is the compiled package's (:mod:`pearl_core.context.signing`),
over the packet's *signing body*: the RFC 8785 canonical JSON of the packet
without :attr:`TaskPacket.MUTABLE_FIELDS` (status, lease, denied attempts,
violations, outcome, integrity), so claiming, heartbeats and outcome reports
never invalidate the signature while any change to the work order does.

``integrity`` is ``{signed: true, hash: <SHA-256 hex of the body>, hash_alg:
sha256, signer: "pearl", key_id, signature: <standard base64 Ed25519
signature over the body>}``. :func:`verify_packet` raises
:class:`~pearl_core.errors.SignatureInvalid` for a packet that is unsigned,
signed by another key, altered in a signed field, or carries a bad signature.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pearl_core.canonical import sha256_hex
from pearl_core.context.signing import SIGNER_NAME, ContextSigner, key_id_of
from pearl_core.domain.common import Integrity
from pearl_core.domain.enums import HashAlg
from pearl_core.domain.remediation import TaskPacket
from pearl_core.errors import SignatureInvalid

__all__ = ["packet_signing_body", "sign_packet", "verify_packet"]


def packet_signing_body(packet: TaskPacket) -> bytes:
    """Canonical JSON of ``packet`` without its mutable fields: what is hashed and signed."""
    return packet.signing_body()


def sign_packet(packet: TaskPacket, signer: ContextSigner) -> TaskPacket:
    """``packet`` with ``integrity`` set: its body's hash, signed by ``signer``."""
    body = packet_signing_body(packet)
    signature = base64.b64encode(signer.sign(body)).decode("ascii")
    integrity = Integrity(
        signed=True,
        hash=sha256_hex(body),
        hash_alg=HashAlg.SHA256,
        signer=SIGNER_NAME,
        key_id=signer.key_id,
        signature=signature,
    )
    return packet.model_copy(update={"integrity": integrity})


def verify_packet(packet: TaskPacket, public_key: Ed25519PublicKey) -> None:
    """Return if ``packet`` is intact and signed with ``public_key``'s private key;
    raise ``signature_invalid`` otherwise."""
    integrity = packet.integrity
    details = {
        "task_packet_id": packet.task_packet_id,
        "key_id": None if integrity is None else integrity.key_id,
    }
    if integrity is None or not integrity.signed or integrity.signature is None:
        raise SignatureInvalid("the task packet is not signed", **details)
    if integrity.key_id != key_id_of(public_key):
        raise SignatureInvalid("the task packet is signed by another key", **details)
    body = packet_signing_body(packet)
    if integrity.hash_alg is not HashAlg.SHA256 or integrity.hash != sha256_hex(body):
        raise SignatureInvalid("the task packet does not match its hash", **details)
    try:
        public_key.verify(base64.b64decode(integrity.signature, validate=True), body)
    except (InvalidSignature, binascii.Error):
        raise SignatureInvalid("the task packet signature does not verify", **details) from None
