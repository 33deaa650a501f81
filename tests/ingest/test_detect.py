"""Format detection reads the shape and keys of a document's first 64 KiB."""

from __future__ import annotations

import json
from pathlib import Path

from pearl_core.ingest.detect import HEAD_BYTES, UTF8_BOM, sniff


def test_an_object_gives_its_top_level_keys_and_the_keys_one_level_down() -> None:
    head = json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]})
    found = sniff(head.encode())
    assert found.shape == "object"
    assert found.keys == {"version", "runs"}
    assert found.nested_keys == {"tool", "results"}


def test_an_array_gives_the_keys_of_its_first_element() -> None:
    head = json.dumps([{"Target": "x", "Vulnerabilities": [{"PkgName": "a"}]}, {"Other": 1}])
    found = sniff(head.encode())
    assert found.shape == "array"
    assert found.keys == {"Target", "Vulnerabilities"}
    assert "PkgName" in found.nested_keys
    assert "Other" not in found.keys


def test_a_head_cut_in_the_middle_of_the_document_keeps_what_was_seen() -> None:
    document = json.dumps({"runs": [{"tool": {}, "results": [{"ruleId": "x" * 100}] * 2000}]})
    assert len(document) > HEAD_BYTES
    found = sniff(document.encode()[:HEAD_BYTES])
    assert found.shape == "object"
    assert found.keys == {"runs"}
    assert {"tool", "results"} <= found.nested_keys


def test_a_head_longer_than_64_kib_is_only_read_to_64_kib() -> None:
    found = sniff(b'{"a": "' + b"x" * HEAD_BYTES + b'", "late": 1}')
    assert found.keys == {"a"}
    assert len(found.head) == HEAD_BYTES


def test_text_that_is_not_json_has_shape_other() -> None:
    assert sniff(b"<?xml version='1.0'?><report/>").shape == "other"
    assert sniff(b"hello").shape == "other"


def test_an_empty_document_has_shape_other() -> None:
    found = sniff(b"")
    assert (found.shape, found.keys, found.nested_keys) == ("other", frozenset(), frozenset())


def test_a_json_scalar_has_shape_other() -> None:
    assert sniff(b"42").shape == "other"
    assert sniff(b'"runs"').shape == "other"


def test_an_empty_array_has_no_keys() -> None:
    found = sniff(b"[]")
    assert (found.shape, found.keys) == ("array", frozenset())


def test_a_utf8_byte_order_mark_is_skipped() -> None:
    found = sniff(UTF8_BOM + b'{"results": []}')
    assert (found.shape, found.keys) == ("object", {"results"})
    assert found.head == b'{"results": []}'


def test_trailing_garbage_after_a_complete_document_keeps_its_keys() -> None:
    assert sniff(b'{"matches": []} trailing').keys == {"matches"}


def test_a_real_sarif_log_with_results_before_tool_is_sniffed(corpus_dir: Path) -> None:
    head = (corpus_dir / "sarif" / "issue_10191.json").read_bytes()[:HEAD_BYTES]
    found = sniff(head)
    assert found.shape == "object"
    assert "runs" in found.keys
    assert "results" in found.nested_keys
