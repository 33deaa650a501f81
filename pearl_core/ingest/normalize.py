"""The pipeline's normalisation step: one parsed record made safe and consistent.

:func:`normalize` takes a :class:`ParsedFinding` straight from a parser and
returns a copy whose every string went through the matching cleaner of
:mod:`pearl_core.ingest.sanitize`, plus one snippet hash per location (the
snippet itself is dropped here and never travels further). It also repairs
what the domain model would reject, rather than losing the finding:

* a title that is empty after cleaning becomes the rule id, else
  ``"<tool> finding"``;
* line and column numbers below 1 become ``None``; an end line before its
  start line (or without one) becomes ``None``;
* a location whose path is empty after cleaning is dropped; paths are
  normalised (:func:`~pearl_core.ingest.fingerprint.normalise_path`);
* CWE ids are spelled ``CWE-<n>`` and CVE ids ``CVE-<yyyy>-<n>``; anything
  else is dropped, duplicates too (first order kept);
* the package ecosystem is canonical (``pip`` → ``pypi``); a purl that does
  not start with ``pkg:`` or is over its limit is dropped.

A record that cannot be repaired (a package without a name or version)
raises :class:`Unrepairable`; the pipeline quarantines it with the reason.
"""

from __future__ import annotations

import re
from typing import Final

from pearl_core.ingest import sanitize
from pearl_core.ingest.fingerprint import canonical_ecosystem, normalise_path, snippet_hash
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, ParsedPackage

__all__ = [
    "CACHE_SIZE",
    "FINGERPRINT_MAX",
    "MAX_IDS",
    "MAX_LOCATIONS",
    "Normalizer",
    "Unrepairable",
    "normalize",
]

MAX_LOCATIONS: Final = 100
MAX_IDS: Final = 50
CACHE_SIZE: Final = 4096
FINGERPRINT_MAX: Final = 200_000
"""A tool fingerprint is only hashed, never stored; this just bounds the work."""
_CWE: Final = re.compile(r"^CWE-0*(\d{1,9})$", re.IGNORECASE)
_CVE: Final = re.compile(r"^CVE-(\d{4})-(\d{4,19})$", re.IGNORECASE)


class Unrepairable(ValueError):
    """A record the domain cannot hold even after repair; ``str(exc)`` is the reason."""


def _opt_token(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    cleaned = sanitize.token(value, limit)
    return cleaned or None


def _location(location: ParsedLocation) -> ParsedLocation | None:
    path = normalise_path(sanitize.token(location.path, sanitize.PATH_MAX))
    if not path:
        return None
    start, end = location.start_line, location.end_line
    first, last = location.start_column, location.end_column
    if start is not None and (type(start) is not int or start < 1):
        start = None
    if end is not None and (type(end) is not int or start is None or end < start):
        end = None
    return ParsedLocation(
        path=path,
        start_line=start,
        end_line=end,
        start_column=first if type(first) is int and first >= 1 else None,
        end_column=last if type(last) is int and last >= 1 else None,
        snippet=None,
    )


def _ids(values: tuple[str, ...], pattern: re.Pattern[str], cve: bool) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values[: MAX_IDS * 4]:
        match = pattern.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            continue
        spelled = f"CVE-{match[1]}-{match[2]}" if cve else f"CWE-{match[1]}"
        seen.setdefault(spelled, None)
    return tuple(seen)[:MAX_IDS]


def _package(package: ParsedPackage) -> ParsedPackage:
    ecosystem = canonical_ecosystem(sanitize.token(package.ecosystem, sanitize.ECOSYSTEM_MAX))
    name = sanitize.token(package.name, sanitize.PACKAGE_NAME_MAX)
    version = sanitize.token(package.version, sanitize.VERSION_MAX)
    fields = (("ecosystem", ecosystem), ("name", name), ("version", version))
    empty = [field for field, value in fields if not value]
    if empty:
        raise Unrepairable(f"package {' and '.join(empty)} missing")
    purl = _opt_token(package.purl, sanitize.PURL_MAX + 1)
    if purl is not None and (not purl.startswith("pkg:") or len(purl) > sanitize.PURL_MAX):
        purl = None
    manifest = _opt_token(package.manifest_path, sanitize.PATH_MAX)
    return ParsedPackage(
        ecosystem=ecosystem,
        name=name,
        version=version,
        fixed_version=_opt_token(package.fixed_version, sanitize.VERSION_MAX),
        manifest_path=normalise_path(manifest) if manifest else None,
        purl=purl,
    )


class Normalizer:
    """The normalisation step for one report.

    Values that repeat across a report's records (tool name and version,
    rule ids, CWE/CVE id lists) are cleaned once and remembered, up to
    :data:`CACHE_SIZE` entries each; the result is the same as without the
    cache, only faster.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, int], str | None] = {}
        self._lines: dict[str, str] = {}
        self._id_lists: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _token(self, value: str | None, limit: int) -> str | None:
        if value is None:
            return None
        key = (value, limit)
        if key in self._tokens:
            return self._tokens[key]
        cleaned = _opt_token(value, limit)
        if len(self._tokens) < CACHE_SIZE:
            self._tokens[key] = cleaned
        return cleaned

    def _tool_name(self, value: str) -> str:
        cleaned = self._lines.get(value)
        if cleaned is None:
            cleaned = sanitize.line(value, sanitize.TOOL_NAME_MAX) or "unknown"
            if len(self._lines) < CACHE_SIZE:
                self._lines[value] = cleaned
        return cleaned

    def _id_list(self, values: tuple[str, ...], cve: bool) -> tuple[str, ...]:
        if not values:
            return ()
        key = (*values, "cve" if cve else "cwe")
        cleaned = self._id_lists.get(key)
        if cleaned is None:
            cleaned = _ids(values, _CVE if cve else _CWE, cve=cve)
            if len(self._id_lists) < CACHE_SIZE:
                self._id_lists[key] = cleaned
        return cleaned

    def __call__(self, record: ParsedFinding) -> tuple[ParsedFinding, tuple[str | None, ...]]:
        """The cleaned record and its snippet hashes; :class:`Unrepairable` if hopeless."""
        tool_name = self._tool_name(record.tool_name)
        rule_id = self._token(record.rule_id, sanitize.RULE_ID_MAX)
        title = sanitize.line(record.title, sanitize.TITLE_MAX) or rule_id or f"{tool_name} finding"
        description = record.description
        if description is not None:
            description = sanitize.text(description, sanitize.DESCRIPTION_MAX) or None
        locations: list[ParsedLocation] = []
        hashes: list[str | None] = []
        for location in record.locations[:MAX_LOCATIONS]:
            cleaned = _location(location)
            if cleaned is not None:
                locations.append(cleaned)
                hashes.append(snippet_hash(location.snippet))
        package = _package(record.package) if record.package is not None else None
        fingerprint = record.tool_fingerprint
        cleaned_record = ParsedFinding(
            tool_name=tool_name,
            tool_type=record.tool_type,
            rule_id=rule_id,
            title=title,
            severity=record.severity,
            raw_record_ref=sanitize.token(record.raw_record_ref, sanitize.TITLE_MAX),
            description=description,
            confidence=record.confidence,
            cwe_ids=self._id_list(record.cwe_ids, cve=False),
            cve_ids=self._id_list(record.cve_ids, cve=True),
            locations=tuple(locations),
            package=package,
            fix_available=record.fix_available,
            tool_fingerprint=_opt_token(fingerprint, FINGERPRINT_MAX) if fingerprint else None,
            tool_version=self._token(record.tool_version, sanitize.TOOL_VERSION_MAX),
            suppressed=record.suppressed,
        )
        return cleaned_record, tuple(hashes)


def normalize(record: ParsedFinding) -> tuple[ParsedFinding, tuple[str | None, ...]]:
    """Normalise one record on its own (a fresh :class:`Normalizer`, no shared cache)."""
    return Normalizer()(record)
