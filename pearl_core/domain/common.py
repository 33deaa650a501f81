"""Shapes every PeaRL payload shares: integrity, traceability, references, errors.

These mirror ``common-defs.schema.json`` of the v1.1 contract. Models that
carry fields the contract does not know list them in ``PEARL_EXTENSIONS``, so
a caller (or a test) can drop exactly those to hand a v1.1 client a payload
its closed schemas accept.

The ``Annotated`` aliases here are the id and string types the contract fixes
once and every entity reuses.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.enums import HashAlg, ReferenceKind

__all__ = [
    "ErrorBody",
    "ErrorResponse",
    "Integrity",
    "ProjectId",
    "Reference",
    "SchemaVersion",
    "ShortText",
    "TraceId",
    "TraceabilityRef",
]

SchemaVersion = Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$", max_length=32)]
"""``major.minor[.patch]``; PeaRL reads 1.1 payloads and writes 1.2."""

TraceId = Annotated[str, Field(min_length=8, max_length=128)]
"""The id that ties a request, its audit events and its decisions together."""

ProjectId = Annotated[str, Field(min_length=3, max_length=128, pattern=r"^proj_[A-Za-z0-9_-]+$")]
"""A project id wherever an entity points at its project (the contract leaves
those plain strings; PeaRL only ever issues ``proj_`` ids)."""

ShortText = Annotated[str, Field(min_length=1, max_length=500)]
"""A label-like string: an action, a control id, a component, a role."""


class Integrity(PearlModel):
    """How to check that a document is the one PeaRL produced.

    ``hash`` covers the canonical JSON of the document without its integrity
    block. ``signature`` and ``key_id`` are PeaRL's: the contract only names a
    signer and an external ``signature_ref``, which an agent cannot verify
    offline; PeaRL signs packets in-band so it can.
    """

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"signature", "key_id"})

    signed: bool
    hash: Annotated[str, Field(min_length=16, max_length=256)] | None = None
    hash_alg: HashAlg | None = None
    signer: str | None = None
    signature_ref: str | None = None
    compiled_at: UtcDatetime | None = None
    signature: (
        Annotated[str, Field(pattern=r"^[A-Za-z0-9+/_-]+={0,2}$", max_length=4096)] | None
    ) = None
    """Base64 signature over the canonical document (PeaRL extension)."""
    key_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """Which signing key made ``signature``, so keys can rotate (PeaRL extension)."""


class TraceabilityRef(PearlModel):
    """Where a document came from: its trace and the sources it was built from."""

    trace_id: TraceId
    source_refs: list[str] = Field(default_factory=list)


class Reference(PearlModel):
    """A typed pointer to another artefact (an API path, a finding, a report)."""

    ref_id: Annotated[str, Field(min_length=1, max_length=500)]
    kind: ReferenceKind
    summary: str | None = None
    uri: str | None = None


class ErrorBody(PearlModel):
    """The contract's error object; ``code`` is a :class:`~pearl_core.errors.PearlError` code."""

    code: Annotated[str, Field(min_length=1, max_length=100)]
    message: str
    details: dict[str, Any] | list[Any] | str | None = None
    trace_id: TraceId
    timestamp: UtcDatetime


class ErrorResponse(PearlModel):
    """What every REST error body looks like: ``{"schema_version", "error"}``."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    error: ErrorBody
