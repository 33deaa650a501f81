"""The format registry: every parser PeaRL knows, in detection order.

Each module in :mod:`pearl_core.ingest.formats` exposes one ``PARSER``. The
order below is the order detection asks them: more specific shapes first, so
a format whose keys are a subset of another's never shadows it.
"""

from __future__ import annotations

import importlib
from functools import cache

from pearl_core.errors import UnrecognizedFormat
from pearl_core.ingest.records import Parser, Sniff

__all__ = ["FORMAT_NAMES", "detect", "get_parser", "parsers"]

FORMAT_NAMES: tuple[str, ...] = (
    "sarif",
    "semgrep",
    "bandit",
    "snyk",
    "trivy",
    "grype",
    "gitleaks",
    "checkov",
    "pip_audit",
    "osv",
    "detect_secrets",
)


@cache
def parsers() -> tuple[Parser, ...]:
    """All parsers, in detection order (imported once, on first use)."""
    found: list[Parser] = []
    for name in FORMAT_NAMES:
        module = importlib.import_module(f"pearl_core.ingest.formats.{name}")
        parser: Parser = module.PARSER
        found.append(parser)
    return tuple(found)


def get_parser(name: str) -> Parser:
    """The parser called ``name``; ``unrecognized_format`` for an unknown name."""
    for parser in parsers():
        if parser.name == name:
            return parser
    raise UnrecognizedFormat(
        f"unknown format {name!r}; known: auto, {', '.join(FORMAT_NAMES)}", format=name
    )


def detect(sniff: Sniff, *, source_name: str) -> Parser:
    """The first parser that recognises the document; ``unrecognized_format`` otherwise."""
    for parser in parsers():
        if parser.sniff(sniff):
            return parser
    raise UnrecognizedFormat(
        f"{source_name}: not a report of any known format (a JSON {sniff.shape} with keys "
        f"{sorted(sniff.keys)[:8]})",
        source=source_name,
    )
