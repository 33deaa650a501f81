"""Typed reads from a ``json.load`` result, shared by the plain-JSON parsers.

Scanner reports are untrusted data: any field can have the wrong type. These
helpers check each type they read and raise :class:`BadRecord` with a short
reason (field names only, never values, so no secret can leak into it). The
parsers catch :class:`BadRecord` per record in :func:`each_record` and turn it
into :class:`~pearl_core.ingest.records.Quarantined`; the rest of the report
still ingests. A document that cannot be read at all raises ``MalformedReport``.

Conventions shared by every parser that uses this module:

* Lines are 1-based; a line of 0 or less (Checkov's "whole file") is ``None``.
* Columns are 1-based with an exclusive end column, as in SARIF.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from pearl_core.errors import MalformedReport
from pearl_core.ingest.records import ParsedFinding, Quarantined

__all__ = [
    "BadRecord",
    "as_list",
    "as_object",
    "cve_ids",
    "cwe_ids",
    "each_record",
    "first_line",
    "integer",
    "line_number",
    "load_json",
    "malformed",
    "short",
    "text",
]

_CWE = re.compile(r"CWE-(\d{1,6})", re.IGNORECASE)
_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)
_DIGITS = re.compile(r"\d{1,12}")


class BadRecord(Exception):
    """One record cannot be read; its parser quarantines it with this reason."""


def malformed(fmt: str, reason: str) -> MalformedReport:
    """The error for a document that is not a ``fmt`` report (reason: no values, no secrets)."""
    return MalformedReport(f"not a {fmt} report: {reason}", format=fmt, reason=reason)


def load_json(source: BinaryIO, fmt: str) -> object:
    """The whole document (these reports are small); ``MalformedReport`` if it is not JSON."""
    try:
        return json.load(source)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        raise malformed(fmt, reason) from None
    except UnicodeDecodeError:
        raise malformed(fmt, "the document is not UTF-8 text") from None
    except ValueError:  # e.g. an integer literal longer than Python's digit limit
        raise malformed(fmt, "the document holds a value JSON cannot represent") from None
    except RecursionError:
        raise malformed(fmt, "the document is nested too deeply") from None


def as_object(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise BadRecord(f"{what} is not an object")
    return value


def as_list(value: object, what: str) -> list[object]:
    """A JSON array; ``null`` or absent reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRecord(f"{what} is not an array")
    return value


def text(record: dict[str, object], key: str, *, required: bool = False) -> str | None:
    """A string field; ``required`` means present and non-empty."""
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise BadRecord(f"'{key}' is missing or empty")
        return None
    if not isinstance(value, str):
        raise BadRecord(f"'{key}' is not a string")
    return value


def integer(record: dict[str, object], key: str) -> int | None:
    """An integer field; a string of digits is accepted (some APIs quote numbers)."""
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"'{key}' is not an integer")
    return value


def line_number(value: int | None) -> int | None:
    """A 1-based line, or ``None`` when the tool gives 0 or less (no particular line)."""
    return value if value is not None and value > 0 else None


def cwe_ids(value: object) -> tuple[str, ...]:
    """``CWE-n`` ids from a string (``"CWE-89: SQL Injection"``), an int, a dict with
    ``id`` (Bandit) or a list of those; anything else contributes nothing."""
    found: list[str] = []
    for item in _flatten(value):
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and item > 0:
            found.append(f"CWE-{item}")
        elif isinstance(item, str):
            found.extend(f"CWE-{int(number)}" for number in _CWE.findall(item))
    return tuple(dict.fromkeys(found))


def cve_ids(*values: object) -> tuple[str, ...]:
    """``CVE-yyyy-n`` ids found in strings or lists of strings, upper-cased, in order."""
    found: list[str] = []
    for value in values:
        for item in _flatten(value):
            if isinstance(item, str):
                found.extend(match.upper() for match in _CVE.findall(item))
    return tuple(dict.fromkeys(found))


def _flatten(value: object) -> Iterable[object]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item) if isinstance(item, dict) else (item,)
    elif isinstance(value, dict):
        yield value.get("id")
    else:
        yield value


def short(value: object, limit: int = 100) -> str:
    """A string value cut to ``limit`` characters; any other value reads as ``"?"``."""
    return value[:limit] if isinstance(value, str) else "?"


def first_line(value: str | None) -> str | None:
    """The first non-blank line of a message, stripped (a title from a long message)."""
    if value is None:
        return None
    for line in value.splitlines():
        if line.strip():
            return line.strip()
    return None


def each_record(
    records: list[object],
    ref: Callable[[int], str],
    build: Callable[[dict[str, object], str], ParsedFinding | None],
) -> Iterator[ParsedFinding | Quarantined]:
    """``build`` each record; one that raises :class:`BadRecord` is quarantined.

    ``build`` returns ``None`` for a record that is deliberately not a finding.
    """
    for index, raw in enumerate(records):
        where = ref(index)
        try:
            finding = build(as_object(raw, "the record"), where)
        except BadRecord as exc:
            yield Quarantined(raw_record_ref=where, reason=str(exc))
            continue
        if finding is not None:
            yield finding
