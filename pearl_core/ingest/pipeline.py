"""Reading a scanner report: detect → parse → normalise → fingerprint → dedup.

:func:`read_report` is what the ingest service calls. It checks the size,
detects the format from content (:mod:`pearl_core.ingest.detect`, the
:mod:`~pearl_core.ingest.registry`), and returns a :class:`ParsedReport`
whose ``items`` is **lazy**: the report is parsed while the caller consumes
it, one record at a time, so a 100,000-result report never sits in memory.
Each item is a :class:`NormalizedFinding` or a :class:`Quarantined` record.

The steps are small callables, one per report, applied in one loop:

1. *parse* — the format's parser streams :class:`ParsedFinding` records;
   more than ``limits.max_results`` records raises ``LimitExceeded``, and a
   document that is not a report of the format raises ``MalformedReport``
   naming ``source_name`` and the reason (invalid JSON, nesting too deep,
   the parser's own reason);
2. *normalise* — :class:`~pearl_core.ingest.normalize.Normalizer` cleans
   every string and repairs what it can; a record it cannot repair is
   quarantined, and so is every record the parser could not read;
3. *fingerprint and dedup* — :class:`~pearl_core.ingest.dedup.InReportDedup`
   gives each finding its identity (:mod:`pearl_core.ingest.fingerprint`)
   and drops repeats within the report: the first record of a fingerprint
   is kept as it is, later ones are dropped, locations are not merged.

Errors surface either from :func:`read_report` (size known up front, format
unknown or undetectable) or while iterating ``items`` (too many results,
malformed document). Either way nothing has been written yet, so a caller
that writes everything in one transaction never writes part of a report.
``info`` (tool names, version, scan errors) is complete once ``items`` is
exhausted. A stream that cannot seek is first copied to a temporary file;
a UTF-8 byte order mark is skipped.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final

import ijson

from pearl_core.errors import LimitExceeded, MalformedReport
from pearl_core.ingest import detect, registry, sanitize
from pearl_core.ingest.dedup import InReportDedup
from pearl_core.ingest.normalize import Normalizer, Unrepairable
from pearl_core.ingest.records import (
    NormalizedFinding,
    Parser,
    Quarantined,
    ReportInfo,
)

__all__ = [
    "DEFAULT_LIMITS",
    "IngestLimits",
    "Item",
    "ParsedReport",
    "read_path",
    "read_report",
]

Item = NormalizedFinding | Quarantined
_COPY_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """How much one report may hold; exceeding either raises ``LimitExceeded``."""

    max_bytes: int = 256 * 1024 * 1024
    max_results: int = 500_000


DEFAULT_LIMITS: Final = IngestLimits()


@dataclass(slots=True)
class ParsedReport:
    """A report being read: its format, what is known about it, and its lazy items.

    Iterate ``items`` once. Use the report as a context manager (or call
    :meth:`close`) when you may stop early, so an opened file is closed.
    """

    format: str
    info: ReportInfo
    items: Iterator[Item]
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        close_items = getattr(self.items, "close", None)
        if close_items is not None:
            close_items()
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> ParsedReport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _too_big(source_name: str, limits: IngestLimits) -> LimitExceeded:
    return LimitExceeded(
        f"{source_name}: report is larger than {limits.max_bytes} bytes",
        source=source_name,
        limit="max_bytes",
        max_bytes=limits.max_bytes,
    )


def _seekable_copy(source: BinaryIO, source_name: str, limits: IngestLimits) -> BinaryIO:
    """Spool a stream that cannot seek to a temporary file, enforcing ``max_bytes``."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- owned and closed by the ParsedReport
    copied = 0
    while chunk := source.read(_COPY_CHUNK):
        copied += len(chunk)
        if copied > limits.max_bytes:
            spool.close()
            raise _too_big(source_name, limits)
        spool.write(chunk)
    spool.seek(0)
    return spool


def _malformed(source_name: str, reason: str, /, **details: object) -> MalformedReport:
    return MalformedReport(f"{source_name}: {reason}", **{**details, "source": source_name})


def _json_reason(exc: ijson.JSONError) -> str:
    # yajl's first line names the problem; later lines quote the input, which stays out.
    message = str(exc)
    if message.startswith(("b'", 'b"')):
        message = message[2:].replace("\\n", "\n")
    lines = message.strip().splitlines()
    return "not valid JSON: " + sanitize.line(lines[0] if lines else "parse error", 120)


def _quarantine(record: Quarantined) -> Quarantined:
    return Quarantined(
        raw_record_ref=sanitize.token(record.raw_record_ref, sanitize.TITLE_MAX),
        reason=sanitize.line(record.reason, sanitize.REASON_MAX) or "unreadable record",
    )


def _steps(
    parser: Parser, source: BinaryIO, info: ReportInfo, limits: IngestLimits, name: str
) -> Iterator[Item]:
    """Parse → normalise → fingerprint and dedup, one record at a time."""
    normalize = Normalizer()
    dedup = InReportDedup()
    count = 0
    for record in parser.parse(source, info):
        count += 1
        if count > limits.max_results:
            raise LimitExceeded(
                f"{name}: more than {limits.max_results} results",
                source=name,
                limit="max_results",
                max_results=limits.max_results,
            )
        if isinstance(record, Quarantined):
            yield _quarantine(record)
            continue
        try:
            cleaned, hashes = normalize(record)
        except Unrepairable as exc:
            ref = sanitize.token(record.raw_record_ref, sanitize.TITLE_MAX)
            yield Quarantined(raw_record_ref=ref, reason=str(exc))
            continue
        item = dedup(cleaned, hashes)
        if item is None:
            info.duplicates_dropped += 1
        else:
            yield item


def _run(
    parser: Parser,
    source: BinaryIO,
    start: int,
    info: ReportInfo,
    limits: IngestLimits,
    name: str,
    closers: list[Callable[[], None]],
) -> Iterator[Item]:
    """The steps, with whole-document failures re-raised naming the source, then cleanup."""
    try:
        source.seek(start)
        yield from _steps(parser, source, info, limits, name)
    except MalformedReport as exc:
        reason = sanitize.line(exc.message, sanitize.REASON_MAX)
        raise _malformed(name, reason, **exc.details) from None
    except ijson.JSONError as exc:
        raise _malformed(name, _json_reason(exc), format=parser.name) from None
    except UnicodeDecodeError:
        raise _malformed(name, "the document is not UTF-8 text", format=parser.name) from None
    except RecursionError:
        raise _malformed(name, "the document is nested too deeply", format=parser.name) from None
    finally:
        while closers:
            closers.pop()()


def _size(source: BinaryIO) -> int:
    start = source.tell()
    end = source.seek(0, os.SEEK_END)
    source.seek(start)
    return end - start


def _open(
    source: BinaryIO,
    *,
    source_name: str,
    format: str,
    limits: IngestLimits,
    closers: list[Callable[[], None]],
) -> ParsedReport:
    if source.seekable():
        if _size(source) > limits.max_bytes:
            raise _too_big(source_name, limits)
    else:
        source = _seekable_copy(source, source_name, limits)
        closers.append(source.close)
    start = source.tell()
    head = source.read(detect.HEAD_BYTES)
    if head.startswith(detect.UTF8_BOM):
        start += len(detect.UTF8_BOM)
    info: ReportInfo
    if format == "auto":
        sniffed = detect.sniff(head)
        parser = registry.detect(sniffed, source_name=source_name)
        info = ReportInfo(format=parser.name)
        if not sniffed.keys:
            # `[]` or `null` is an empty report of several formats (gitleaks,
            # legacy Trivy, pip-audit). Zero findings either way, but which
            # tool's findings it would close is a guess: not a clean scan.
            info.scan_errors.append(
                "empty report of undetermined format; pass --format to make it a clean scan"
            )
    else:
        parser = registry.get_parser(format)
        info = ReportInfo(format=parser.name)
    items = _run(parser, source, start, info, limits, source_name, closers)
    return ParsedReport(format=parser.name, info=info, items=items, _closers=closers)


def read_report(
    source: BinaryIO,
    *,
    source_name: str,
    format: str = "auto",
    limits: IngestLimits = DEFAULT_LIMITS,
) -> ParsedReport:
    """Start reading one report from ``source`` (see the module docstring).

    ``source_name`` (a file name, an upload's name) appears in every error.
    ``format`` is ``"auto"`` or a name from :data:`registry.FORMAT_NAMES`; an
    unknown name raises ``UnrecognizedFormat``. A stream that cannot seek is
    first copied to a temporary file (parsers may read it twice).
    """
    return _open(source, source_name=source_name, format=format, limits=limits, closers=[])


def read_path(
    path: Path,
    *,
    format: str = "auto",
    limits: IngestLimits = DEFAULT_LIMITS,
    source_name: str | None = None,
) -> ParsedReport:
    """Like :func:`read_report` for a file; its size is checked before it is opened."""
    name = source_name or path.name
    if path.stat().st_size > limits.max_bytes:
        raise _too_big(name, limits)
    handle = path.open("rb")
    closers: list[Callable[[], None]] = [handle.close]
    try:
        return _open(handle, source_name=name, format=format, limits=limits, closers=closers)
    except BaseException:
        handle.close()
        raise
