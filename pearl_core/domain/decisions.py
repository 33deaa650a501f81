"""Decision records: what the decision log keeps of every policy evaluation.

A :class:`DecisionRecord` names the decision path (``pearl.guardrails.decision``),
the bundle hash and the data versions it was made under, the acting principal,
the result and its reasons, and the input — hashed before masking, stored
after it.

**Masking.** Before an input is stored, :class:`InputMask` replaces the value
of every configured field with ``"***"``. A field is one of two things:

* a **key name** (no dot: ``token``, ``api_key``): masked wherever it occurs,
  at any depth, inside objects and arrays. Names are compared after
  case-folding and dropping ``_`` and ``-``, so ``api_key`` also masks
  ``API-Key`` and ``apiKey``; ``client_secret`` is a different name from
  ``secret`` and must be listed on its own;
* a **path** (dotted: ``action.args``): one key per step from the root of the
  input, compared the same way; a step that meets an array applies to each
  element.

The whole value is replaced, whatever its type. ``input_hash`` is the SHA-256
of the *unmasked* input as sorted compact JSON (what the engine saw; see
:func:`~pearl_core.canonical.sorted_json`), so a record whose stored input
hashes to something else had fields masked: a replay of it evaluates
``"***"`` where the original saw the secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Final

from pydantic import Field

from pearl_core.canonical import sha256_hex, sorted_json
from pearl_core.domain.base import PearlRecord, UtcDatetime
from pearl_core.domain.enums import PrincipalKind

__all__ = [
    "DEFAULT_MASK_FIELDS",
    "MASKED",
    "DecisionRecord",
    "InputMask",
]

MASKED: Final = "***"
"""What a masked value is stored as."""

DEFAULT_MASK_FIELDS: Final = (
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "password",
    "authorization",
    "api_key",
    "private_key",
    "content",
)
"""Masked unless ``PEARL_DECISION_MASK_FIELDS`` says otherwise. ``content``
keeps file bodies an agent wants to write out of the log."""

_Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
_Name = Annotated[str, Field(min_length=1, max_length=200)]


@lru_cache(maxsize=4096)
def _fold(name: str) -> str:
    return name.casefold().replace("_", "").replace("-", "")


@dataclass(frozen=True, slots=True)
class InputMask:
    """Which fields of an input are replaced by ``"***"`` before it is stored."""

    keys: frozenset[str] = frozenset()
    paths: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, fields: Iterable[str]) -> InputMask:
        """Key names and dotted paths, as ``PEARL_DECISION_MASK_FIELDS`` lists them."""
        keys: set[str] = set()
        paths: list[tuple[str, ...]] = []
        for field in fields:
            steps = tuple(_fold(step) for step in field.strip().split("."))
            if not all(steps):
                raise ValueError(f"not a key name or dotted path: {field!r}")
            if len(steps) == 1:
                keys.add(steps[0])
            else:
                paths.append(steps)
        return cls(frozenset(keys), tuple(paths))

    def apply(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """A masked deep copy of ``value`` (which is left as it was)."""
        masked: dict[str, Any] = _mask(dict(value), self.keys, self.paths)
        return masked


def _mask(value: Any, keys: frozenset[str], paths: tuple[tuple[str, ...], ...]) -> Any:
    if isinstance(value, list):
        return [_mask(item, keys, paths) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _fold(str(key))
        if name in keys or (name,) in paths:
            out[key] = MASKED
        elif isinstance(item, (dict, list)):
            deeper = (
                tuple(path[1:] for path in paths if len(path) > 1 and path[0] == name)
                if paths
                else paths
            )
            out[key] = _mask(item, keys, deeper)
        else:
            out[key] = item
    return out


class DecisionRecord(PearlRecord):
    """One logged evaluation of a decision entrypoint (PeaRL's own record)."""

    decision_id: Annotated[str, Field(pattern=r"^dec_[A-Za-z0-9_-]+$", max_length=128)]
    org_id: Annotated[str, Field(pattern=r"^org_[A-Za-z0-9_-]+$", max_length=128)]
    entrypoint: _Name
    """The decision path, without ``data.``: ``pearl.gate.decision``."""
    decision: Annotated[str, Field(min_length=1, max_length=100)]
    """The result's ``decision`` value: ``allow``, ``deny``, ``needs_approval``…"""
    reasons: list[dict[str, Any]]
    """Each reason as :meth:`~pearl_core.policy.Reason.to_dict` gives it."""
    result: dict[str, Any]
    """The entrypoint's whole result object."""
    input: dict[str, Any]
    """The input with the configured fields masked (see the module docstring)."""
    input_hash: _Sha256
    """SHA-256 of the unmasked input's canonical JSON (RFC 8785)."""
    bundle_hash: _Sha256
    data_versions: dict[_Name, Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=dict
    )
    """Context documents the input was built from: ``"environment_profile/envp_x"`` →
    their version or content hash."""
    principal_id: _Name
    principal_kind: PrincipalKind
    latency_us: Annotated[float, Field(ge=0)]
    """The whole evaluation call, input marshalling included."""
    eval_us: Annotated[float, Field(ge=0)]
    """The engine's evaluation alone."""
    decided_at: UtcDatetime
    trace_id: Annotated[str, Field(min_length=1, max_length=200)]

    @property
    def rule_ids(self) -> frozenset[str]:
        """The ``rule_id`` of every reason."""
        return frozenset(str(reason.get("rule_id")) for reason in self.reasons)

    @property
    def input_masked(self) -> bool:
        """True when the stored input is not what was evaluated (fields were masked)."""
        return sha256_hex(sorted_json(self.input)) != self.input_hash
