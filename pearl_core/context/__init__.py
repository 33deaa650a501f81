"""Compiled context: merge the three context documents, hash, sign, verify.

:func:`compile_context` is the pure merge (its module docstring is the
precedence table); :mod:`~pearl_core.context.digest` says which bytes are
hashed and signed; :mod:`~pearl_core.context.signing` holds the Ed25519
signer and the offline verifier. The use-cases that read and store packages
are in :mod:`pearl_core.services.context`. Import these names from
:mod:`pearl_core`.
"""

from pearl_core.context.digest import document_hash, package_hash, signed_bytes
from pearl_core.context.merge import COMPILER_VERSION, MERGE_PRECEDENCE_VERSION, compile_context
from pearl_core.context.signing import (
    SIGNER_NAME,
    ContextSigner,
    Ed25519Signer,
    KeyFileSigner,
    key_id_of,
    load_public_key,
    public_key_pem,
    sign_package,
    verify_package,
)

__all__ = [
    "COMPILER_VERSION",
    "MERGE_PRECEDENCE_VERSION",
    "SIGNER_NAME",
    "ContextSigner",
    "Ed25519Signer",
    "KeyFileSigner",
    "compile_context",
    "document_hash",
    "key_id_of",
    "load_public_key",
    "package_hash",
    "public_key_pem",
    "sign_package",
    "signed_bytes",
    "verify_package",
]
