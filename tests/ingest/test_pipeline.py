"""read_report: limits, format errors naming the source, in-report dedup, lazy items."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pearl_core.errors import LimitExceeded, MalformedReport, UnrecognizedFormat
from pearl_core.ingest.detect import UTF8_BOM
from pearl_core.ingest.pipeline import IngestLimits, read_path, read_report
from pearl_core.ingest.records import NormalizedFinding, Quarantined

if TYPE_CHECKING:
    from tests.ingest.conftest import Sarif


class OneWayStream(io.RawIOBase):
    """A readable stream that cannot seek, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, sarif: Sarif
) -> None:
    path = tmp_path / "big.sarif"
    path.write_bytes(sarif.log(sarif.run(sarif.result())))
    with pytest.raises(LimitExceeded) as caught:
        read_path(path, limits=IngestLimits(max_bytes=10))
    assert caught.value.code == "limit_exceeded"
    assert caught.value.details["source"] == "big.sarif"
    assert caught.value.details["limit"] == "max_bytes"


def test_a_seekable_stream_over_the_size_limit_is_refused(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(sarif.result()))
    with pytest.raises(LimitExceeded):
        read_report(io.BytesIO(document), source_name="x", limits=IngestLimits(max_bytes=10))


def test_a_stream_that_cannot_seek_is_spooled_and_still_limited(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(sarif.result(), sarif.result(line=99)))
    with read_report(io.BufferedReader(OneWayStream(document)), source_name="pipe") as report:
        assert len(list(report.items)) == 2
    with pytest.raises(LimitExceeded):
        read_report(OneWayStream(document), source_name="pipe", limits=IngestLimits(max_bytes=50))


def test_more_results_than_the_limit_raise_while_iterating(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(*(sarif.result(line=n) for n in range(1, 6))))
    report = read_report(io.BytesIO(document), source_name="r", limits=IngestLimits(max_results=3))
    with pytest.raises(LimitExceeded) as caught:
        list(report.items)
    assert caught.value.details["limit"] == "max_results"


def test_exactly_the_result_limit_is_accepted(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(*(sarif.result(line=n) for n in range(1, 4))))
    report = read_report(io.BytesIO(document), source_name="r", limits=IngestLimits(max_results=3))
    assert len(list(report.items)) == 3


def test_an_unknown_format_name_is_unrecognized_format(sarif: Sarif) -> None:
    with pytest.raises(UnrecognizedFormat) as caught:
        read_report(io.BytesIO(sarif.log()), source_name="r", format="nessus")
    assert caught.value.code == "unrecognized_format"


def test_a_document_of_no_known_format_is_unrecognized_format_naming_the_source() -> None:
    with pytest.raises(UnrecognizedFormat) as caught:
        read_report(io.BytesIO(b'{"hello": "world"}'), source_name="notes.json")
    assert caught.value.code == "unrecognized_format"
    assert caught.value.details["source"] == "notes.json"


@pytest.mark.parametrize("content", [b"", b"not json", b"<xml/>", b"42"])
def test_content_that_is_not_a_json_report_is_unrecognized(content: bytes) -> None:
    with pytest.raises(UnrecognizedFormat):
        read_report(io.BytesIO(content), source_name="x")


def test_invalid_json_in_a_named_format_is_malformed_report_naming_the_source() -> None:
    report = read_report(io.BytesIO(b'{"runs": [}'), source_name="scan.sarif", format="sarif")
    with pytest.raises(MalformedReport) as caught:
        list(report.items)
    assert caught.value.code == "malformed_report"
    assert caught.value.details["source"] == "scan.sarif"
    assert "scan.sarif" in caught.value.message


def test_a_document_of_the_wrong_shape_for_its_format_is_malformed(sarif: Sarif) -> None:
    report = read_report(io.BytesIO(b"[1, 2, 3]"), source_name="list.json", format="sarif")
    with pytest.raises(MalformedReport) as caught:
        list(report.items)
    assert caught.value.details["source"] == "list.json"


def test_parsing_happens_while_items_are_consumed(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(sarif.result(line=1), sarif.result(line=2)))
    truncated = document[: document.rindex(b"]")]
    report = read_report(io.BytesIO(truncated), source_name="cut.sarif")
    first = next(report.items)
    assert isinstance(first, NormalizedFinding)
    with pytest.raises(MalformedReport):
        list(report.items)


def test_the_same_result_twice_in_one_report_is_yielded_once(sarif: Sarif) -> None:
    twice = sarif.log(sarif.run(sarif.result(line=7), sarif.result(line=7)))
    assert len(sarif.findings(twice)) == 1


def test_the_first_of_two_duplicates_is_kept(sarif: Sarif) -> None:
    first = sarif.result(line=7, message="First wording.")
    second = sarif.result(line=7, message="First wording.", level="error")
    (kept,) = sarif.findings(sarif.log(sarif.run(first, second)))
    assert kept.finding.severity == "moderate"


def test_an_explicit_format_skips_detection(sarif: Sarif) -> None:
    with read_report(io.BytesIO(sarif.log()), source_name="r", format="sarif") as report:
        assert report.format == "sarif"
        assert list(report.items) == []


def test_a_utf8_byte_order_mark_is_accepted(sarif: Sarif) -> None:
    document = UTF8_BOM + sarif.log(sarif.run(sarif.result()))
    assert len(sarif.findings(document)) == 1


def test_a_stream_not_at_its_start_is_read_from_where_it_stands(sarif: Sarif) -> None:
    stream = io.BytesIO(b"garbage" + sarif.log(sarif.run(sarif.result())))
    stream.seek(len(b"garbage"))
    with read_report(stream, source_name="r") as report:
        assert len(list(report.items)) == 1


def test_report_info_names_the_tools_once_items_are_consumed(sarif: Sarif) -> None:
    document = sarif.log(sarif.run(sarif.result(), tool="Semgrep OSS"))
    with read_report(io.BytesIO(document), source_name="r") as report:
        list(report.items)
        assert report.info.tool_names == {"Semgrep OSS"}


def test_a_record_the_parser_cannot_read_is_quarantined_and_the_rest_ingests(sarif: Sarif) -> None:
    items = sarif.read(sarif.log(sarif.run(sarif.result(), "not a result")))
    kinds = [type(item) for item in items]
    assert kinds == [NormalizedFinding, Quarantined]
    quarantined = items[1]
    assert isinstance(quarantined, Quarantined)
    assert quarantined.raw_record_ref == "runs[0].results[1]"


def test_normalised_findings_carry_snippet_hashes_not_snippets(sarif: Sarif) -> None:
    (item,) = sarif.findings(sarif.log(sarif.run(sarif.result(snippet="token = 'hunter2'"))))
    assert item.finding.locations[0].snippet is None
    assert item.snippet_hashes[0] is not None
    assert "hunter2" not in repr(item)


def test_untrusted_text_is_sanitised_before_it_is_yielded(sarif: Sarif) -> None:
    hostile = sarif.result(message="Safe\u202e title\x1b[2J", rule="py/x\u200b")
    (item,) = sarif.findings(sarif.log(sarif.run(hostile)))
    assert item.finding.title == "Safe title[2J"
    assert item.finding.rule_id == "py/x"


def test_reading_a_corpus_file_by_path_names_the_file(corpus_dir: Path) -> None:
    with read_path(corpus_dir / "sarif" / "njsscan.sarif") as report:
        assert report.format == "sarif"
        assert len(list(report.items)) == 2
