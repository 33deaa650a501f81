"""Untrusted text from scanner reports, made safe to store as data.

Titles, messages, paths and ids in a report come from the scanned code and
from the scanner, so PeaRL treats them as hostile: they may carry terminal
escapes, bidirectional overrides that make code read differently than it
runs ("Trojan Source"), invisible tag or zero-width characters that smuggle
instructions to an agent, or megabytes of text. Every string a parser hands
over passes through one of three cleaners before it is stored:

=================  ============================================================
cleaner            keeps
=================  ============================================================
:func:`line`       one line: any whitespace (``\\t``, ``\\n``, U+2028…) becomes
                   one space, runs of spaces collapse (titles, names)
:func:`text`       ``\\n`` and ``\\t`` (``\\r\\n`` and U+2028/2029 become ``\\n``);
                   descriptions
:func:`token`      no control characters at all, inner spaces kept as they are
                   (rule ids, paths, versions, fingerprints)
=================  ============================================================

All three remove C0 and C1 control characters, the Unicode bidi controls
(U+061C, U+200E-200F, U+202A-202E, U+2066-2069), zero-width and other
invisible characters (U+200B-200D, U+2060-2064, U+FEFF, U+180E, U+00AD,
U+FFF9-FFFB), tag characters (U+E0000-E007F) and lone surrogates, then
normalise to NFC and cap the length: a string longer than its limit keeps
``limit - 1`` characters followed by ``…`` (U+2026), so
a cut is visible. Limits match the domain models' field limits (see the
``*_MAX`` constants).

Speed matters (a report can hold 500,000 results): a plain printable-ASCII
string is returned as is after one C-level check; otherwise one regex search
decides whether :meth:`str.translate` with a precomputed table is needed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "DESCRIPTION_MAX",
    "ECOSYSTEM_MAX",
    "ELLIPSIS",
    "PACKAGE_NAME_MAX",
    "PATH_MAX",
    "PURL_MAX",
    "REASON_MAX",
    "RULE_ID_MAX",
    "TITLE_MAX",
    "TOOL_NAME_MAX",
    "TOOL_VERSION_MAX",
    "VERSION_MAX",
    "line",
    "text",
    "token",
]

TITLE_MAX: Final = 1000
DESCRIPTION_MAX: Final = 20_000
RULE_ID_MAX: Final = 300
PATH_MAX: Final = 4096
VERSION_MAX: Final = 200
PACKAGE_NAME_MAX: Final = 500
ECOSYSTEM_MAX: Final = 50
PURL_MAX: Final = 2000
TOOL_NAME_MAX: Final = 200
TOOL_VERSION_MAX: Final = 100
REASON_MAX: Final = 2000
ELLIPSIS: Final = "\u2026"

_INVISIBLE: Final[tuple[tuple[int, int], ...]] = (
    (0x0000, 0x001F),  # C0 controls (tab and newlines are mapped first where kept)
    (0x007F, 0x009F),  # DEL and C1 controls
    (0x00AD, 0x00AD),  # soft hyphen
    (0x061C, 0x061C),  # Arabic letter mark
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner and invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0xD800, 0xDFFF),  # lone surrogates (a JSON "\ud800" escape)
    (0xFEFF, 0xFEFF),  # zero-width no-break space / BOM
    (0xFFF9, 0xFFFB),  # interlinear annotation controls
    (0xE0000, 0xE007F),  # tag characters
)
_LINE_BREAKS: Final = "\n\r\x0b\x0c\x85\u2028\u2029"


def _table(keep: dict[int, str]) -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for low, high in _INVISIBLE:
        for code in range(low, high + 1):
            table[code] = None
    table.update(keep)
    return table


_TOKEN_TABLE: Final = _table({})
_LINE_TABLE: Final = _table({ord(c): " " for c in "\t" + _LINE_BREAKS})
_TEXT_TABLE: Final = _table(
    {ord("\t"): "\t", ord("\n"): "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n"}
    | {0x2029: "\n"}
)
_NEEDS_WORK: Final = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE) + "\u2028\u2029]"
)
_TEXT_NEEDS_WORK: Final = re.compile(
    "[\x00-\x08\x0b-\x1f"
    # every range but C0, of which a description keeps \t and \n
    + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE[1:])
    + "\u2028\u2029]"
)
_SPACES: Final = re.compile(r" {2,}")


def _finish(value: str, limit: int) -> str:
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + ELLIPSIS
    return value


def _prepare(
    value: str, limit: int, table: dict[int, str | None], needs_work: re.Pattern[str] = _NEEDS_WORK
) -> str:
    # Bound the work on a hostile megabyte string before scanning it.
    if len(value) > 2 * limit:
        value = value[: 2 * limit]
    if needs_work.search(value) is not None:
        value = value.translate(table)
    return value


def token(value: str, limit: int) -> str:
    """An identifier, path or version: invisible and control characters removed."""
    if value.isascii() and value.isprintable() and len(value) <= limit:
        return value.strip()
    return _finish(_prepare(value, limit, _TOKEN_TABLE).strip(), limit)


def line(value: str, limit: int = TITLE_MAX) -> str:
    """A one-line title or name: whitespace of any kind collapsed to single spaces."""
    if value.isascii() and value.isprintable() and len(value) <= limit:
        if "  " in value:
            value = _SPACES.sub(" ", value)
        return value.strip()
    value = _prepare(value, limit, _LINE_TABLE)
    return _finish(" ".join(value.split()), limit)


def text(value: str, limit: int = DESCRIPTION_MAX) -> str:
    """A description: like :func:`line` but keeps line breaks (as ``\\n``) and tabs."""
    if (
        len(value) <= limit
        and value.isascii()
        and value.replace("\n", " ").replace("\t", " ").isprintable()
    ):
        return value.strip()
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _finish(_prepare(value, limit, _TEXT_TABLE, _TEXT_NEEDS_WORK).strip(), limit)
