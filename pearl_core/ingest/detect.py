"""Format detection from content: what the first 64 KiB of a report look like.

:func:`sniff` runs once per document, streaming the head through ijson's
event parser (the C backend). A head cut in the middle of the JSON is the
normal case for a large report, so a parse error after the first event just
ends the walk with what was seen; an error before any event (not JSON at
all, an empty file) gives shape ``"other"``. A UTF-8 byte order mark is
skipped. The walk stops after :data:`MAX_EVENTS` events, so a head of tiny
tokens costs the same as any other.

What is collected (see :class:`~pearl_core.ingest.records.Sniff`):

* ``shape``: ``"object"``, ``"array"`` or ``"other"`` (a scalar or not JSON);
* ``keys``: the top-level keys, or for an array the keys of its first element;
* ``nested_keys``: keys one level further down, inside an object value or
  inside the elements of an array value (``runs[*]``, ``Results[*]``), best
  effort within the head.
"""

from __future__ import annotations

from typing import Final

import ijson

from pearl_core.ingest.records import Sniff

__all__ = ["HEAD_BYTES", "MAX_EVENTS", "UTF8_BOM", "sniff"]

HEAD_BYTES: Final = 64 * 1024
MAX_EVENTS: Final = 20_000
UTF8_BOM: Final = b"\xef\xbb\xbf"


def _top_prefix(shape: str) -> str:
    return "" if shape == "object" else "item"


def _is_nested(prefix: str, top: str) -> bool:
    """Whether map keys at ``prefix`` are one level below the top-level keys."""
    rest = prefix[len(top) + 1 :] if top else prefix
    if top and not prefix.startswith(top + "."):
        return False
    if not rest:
        return False
    name, _, tail = rest.partition(".")
    return bool(name) and tail in ("", "item")


def sniff(head: bytes) -> Sniff:
    """What detection needs to know about a document, from its first bytes."""
    head = head[:HEAD_BYTES]
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    shape = "other"
    keys: set[str] = set()
    nested: set[str] = set()
    first_done = False
    events = ijson.parse(head, use_float=True)
    try:
        for count, (prefix, event, value) in enumerate(events):
            if count == 0:
                shape = {"start_map": "object", "start_array": "array"}.get(event, "other")
                if shape == "other":
                    break
            if count >= MAX_EVENTS:
                break
            top = _top_prefix(shape)
            if event == "map_key" and isinstance(value, str):
                if prefix == top and not first_done:
                    keys.add(value)
                elif _is_nested(prefix, top):
                    nested.add(value)
            elif shape == "array" and prefix == "item" and event in ("end_map", "end_array"):
                first_done = True
    except ijson.JSONError:
        # A head cut mid-document, or trailing garbage: keep what was seen.
        pass
    return Sniff(shape=shape, keys=frozenset(keys), nested_keys=frozenset(nested), head=head)
