"""The bytes a compiled package is hashed and signed over, and input document hashes.

Everything here is RFC 8785 canonical JSON (:func:`pearl_core.canonical.canonical_json`)
of the package **as PeaRL exports it**: ``model_dump(mode="json",
exclude_none=True)``, so an optional field that is absent is omitted, never
``null``. A verifier in another language takes the exported JSON as it is.

* **Content hash** (``integrity.hash``, SHA-256 hex): the package without
  ``package_metadata.package_id`` and without ``package_metadata.integrity``.
  It covers what was compiled (the merged sections, the input ids, their
  versions and content hashes, the policy bundle hash, the compiler version),
  never when or under which id, so compiling identical inputs twice gives the
  identical hash. This follows :class:`~pearl_core.domain.common.Integrity`
  ("the hash covers the document without its integrity block") and also
  leaves out the per-compile id.
* **Signed bytes**: the whole package with only ``integrity.signature``
  removed. The signature therefore covers the content *and* the id, the
  compile time, the hash, the algorithm and the key id: re-dating or
  re-labelling a package breaks it as surely as editing a rule.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.compiled import CompiledContextPackage

__all__ = ["document_hash", "package_hash", "signed_bytes"]


def _exported(package: CompiledContextPackage) -> dict[str, Any]:
    return package.model_dump(mode="json", exclude_none=True)


def package_hash(package: CompiledContextPackage) -> str:
    """SHA-256 hex of the package's content (see the module docstring)."""
    doc = _exported(package)
    metadata = doc["package_metadata"]
    del metadata["package_id"], metadata["integrity"]
    return sha256_hex(canonical_json(doc))


def signed_bytes(package: CompiledContextPackage) -> bytes:
    """The canonical bytes a package's signature covers (see the module docstring)."""
    doc = _exported(package)
    doc["package_metadata"]["integrity"].pop("signature", None)
    return canonical_json(doc)


def document_hash(document: BaseModel) -> str:
    """SHA-256 hex of an input document's canonical JSON, exactly as the stores
    compute :attr:`~pearl_core.domain.context.DocumentVersion.content_hash`."""
    return sha256_hex(canonical_json(document.model_dump(mode="json")))
