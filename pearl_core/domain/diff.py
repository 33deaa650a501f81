"""A structural diff of two JSON values, for reading policy changes.

:func:`diff_json` walks two values (as ``model_dump(mode="json")`` gives
them) and lists every :class:`Change` at the deepest path where they differ:

* **objects** are compared key by key, in sorted key order; a key only in
  the new value is ``added``, only in the old one ``removed``;
* **arrays are order-sensitive.** They are aligned on their longest common
  subsequence (``difflib``), so inserting one capability in the middle of a
  list is one ``added`` change, not a change at every later index. Elements
  that were replaced in place are diffed recursively. A ``removed`` element's
  index is its position in the old array; an ``added`` or ``changed`` one's,
  its position in the new array. Reordering an array shows as removals and
  additions;
* **scalars** are equal when their canonical JSON is (so ``1 == 1.0`` but
  ``true != 1``); a value that changes type (object to array, string to
  null) is one ``changed`` at its path.

Paths read like code: ``defaults.iam.least_privilege_required``,
``allowed_capabilities[2]``, ``environment_defaults["pre-prod"]``; the root
itself is ``$`` (``$[0]`` for the first element of a root array).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pearl_core.canonical import canonical_json

__all__ = ["Change", "ChangeOp", "diff_json"]

ChangeOp = Literal["added", "removed", "changed"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SIGN: dict[ChangeOp, str] = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``old`` is ``None`` for ``added``, ``new`` for ``removed``."""

    path: str
    op: ChangeOp
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "op": self.op, "old": self.old, "new": self.new}

    def line(self) -> str:
        """``~ path: old -> new``, ``+ path: new`` or ``- path: old``."""
        sign = _SIGN[self.op]
        if self.op == "added":
            return f"{sign} {self.path}: {_show(self.new)}"
        if self.op == "removed":
            return f"{sign} {self.path}: {_show(self.old)}"
        return f"{sign} {self.path}: {_show(self.old)} -> {_show(self.new)}"


def diff_json(old: Any, new: Any) -> list[Change]:
    """Every change from ``old`` to ``new`` (empty when they are equal)."""
    changes: list[Change] = []
    _diff(old, new, "", changes)
    return changes


def _diff(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            child = _key_path(path, key)
            if key not in new:
                out.append(Change(child, "removed", old=old[key]))
            elif key not in old:
                out.append(Change(child, "added", new=new[key]))
            else:
                _diff(old[key], new[key], child, out)
    elif isinstance(old, list) and isinstance(new, list):
        _diff_lists(old, new, path, out)
    elif canonical_json(old) != canonical_json(new):
        out.append(Change(path or "$", "changed", old=old, new=new))


def _diff_lists(old: list[Any], new: list[Any], path: str, out: list[Change]) -> None:
    keys_old = [canonical_json(item) for item in old]
    keys_new = [canonical_json(item) for item in new]
    matcher = difflib.SequenceMatcher(a=keys_old, b=keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            _diff(old[i1 + offset], new[j1 + offset], f"{path or '$'}[{j1 + offset}]", out)
        for index in range(i1 + paired, i2):
            out.append(Change(f"{path or '$'}[{index}]", "removed", old=old[index]))
        for index in range(j1 + paired, j2):
            out.append(Change(f"{path or '$'}[{index}]", "added", new=new[index]))


def _key_path(path: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path or '$'}[{json.dumps(key)}]"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
