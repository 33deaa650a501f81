"""Every registered parser, fed mutated reports, raises nothing but PeaRL's typed errors.

Seeds are small real reports from the corpus (or an empty object for a
format without one). Mutations: a value anywhere replaced by a value of
another type, a huge string, or 10,000 levels of nesting; the serialised
document cut at any byte; random JSON. Reading and consuming the whole
report must either succeed or raise ``UnrecognizedFormat``,
``MalformedReport``, ``LimitExceeded`` or ``ValidationFailed``: never a
``KeyError``, ``TypeError``, ``RecursionError`` or anything else.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearl_core.errors import LimitExceeded, MalformedReport, UnrecognizedFormat, ValidationFailed
from pearl_core.ingest import registry
from pearl_core.ingest.pipeline import IngestLimits, read_report

CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "scanners"
TYPED = (UnrecognizedFormat, MalformedReport, LimitExceeded, ValidationFailed)
CORPUS_FOLDERS = {"grype": "anchore_grype", "osv": "osv_scanner"}
DEEP = "\u0000deep\u0000"
HUGE = "\u0000huge\u0000"
DEPTH = 10_000
SEED_MIN_BYTES = 1_000  # skip the empty reports: mutations need results to reach
SEED_MAX_BYTES = 40_000
LIMITS = IngestLimits(max_bytes=16 * 1024 * 1024, max_results=50_000)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NAMES = [parser.name for parser in registry.parsers()]


@cache
def seeds(name: str) -> tuple[Any, ...]:
    """Up to three small, non-empty corpus reports of the format; ``{}`` without a corpus."""
    folder = CORPUS_DIR / CORPUS_FOLDERS.get(name, name)
    found: list[Any] = []
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_size):
            if SEED_MIN_BYTES <= path.stat().st_size <= SEED_MAX_BYTES:
                try:
                    found.append(json.loads(path.read_bytes()))
                except ValueError:
                    continue
            if len(found) == 3:
                break
    return tuple(found) or ({},)


def serialise(document: Any) -> bytes:
    text = json.dumps(document)
    text = text.replace(json.dumps(DEEP), "[" * DEPTH + "]" * DEPTH)
    text = text.replace(json.dumps(HUGE), json.dumps("A" * 300_000 + "\u202e" * 1000))
    return text.encode()


def consume(document: bytes, name: str) -> None:
    """Read and fully iterate ``document``; only typed errors may escape."""
    try:
        with read_report(
            io.BytesIO(document), source_name="fuzz.json", format=name, limits=LIMITS
        ) as report:
            for _ in report.items:
                pass
    except TYPED:
        return


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from([DEEP, HUGE, "", "CVE-2021-44228", "CWE-79", "../../etc/passwd", "\ud800"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def mutate(document: Any, data: st.DataObject) -> Any:
    """``document`` with one node (drawn by walking down from the root) replaced."""
    if not isinstance(document, dict | list) or not document or data.draw(st.integers(0, 3)) == 0:
        return data.draw(json_values)
    if isinstance(document, dict):
        key = data.draw(st.sampled_from(sorted(document)))
        return {**document, key: mutate(document[key], data)}
    index = data.draw(st.integers(0, len(document) - 1))
    return [*document[:index], mutate(document[index], data), *document[index + 1 :]]


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(data=st.data())
def test_a_report_with_a_value_of_the_wrong_type_raises_only_typed_errors(
    name: str, data: st.DataObject
) -> None:
    seed = data.draw(st.sampled_from(seeds(name)))
    document = serialise(mutate(seed, data))
    consume(document, name)
    consume(document, "auto")


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(data=st.data())
def test_a_report_cut_at_any_byte_raises_only_typed_errors(name: str, data: st.DataObject) -> None:
    document = json.dumps(data.draw(st.sampled_from(seeds(name)))).encode()
    cut = data.draw(st.integers(0, len(document)))
    consume(document[:cut], name)
    consume(document[:cut], "auto")


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(document=json_values)
def test_random_json_raises_only_typed_errors(name: str, document: Any) -> None:
    consume(serialise(document), name)


@given(document=json_values)
@FUZZ
def test_random_json_with_detection_raises_only_typed_errors(document: Any) -> None:
    consume(serialise(document), "auto")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "document",
    [
        DEEP,
        {"runs": DEEP},
        {"runs": [{"tool": {"driver": {"name": "x", "rules": DEEP}}, "results": [DEEP]}]},
        {"results": [DEEP], "Results": DEEP, "matches": [DEEP], "vulnerabilities": DEEP},
        [{"vulns": DEEP, "name": HUGE, "version": DEEP}],
    ],
)
def test_ten_thousand_levels_of_nesting_raise_only_typed_errors(name: str, document: Any) -> None:
    consume(serialise(document), name)
    consume(serialise(document), "auto")


def test_every_registered_parser_is_fuzzed() -> None:
    assert set(NAMES) == set(registry.FORMAT_NAMES)
