"""SARIF 2.1.0 from any tool (CodeQL, Semgrep, Snyk Code, Trivy, Gitleaks, Checkov...).

**Streaming** with ijson's C backend over the seekable document (the
pipeline guarantees one), so memory holds one result at a time plus each
run's tool:

1. a byte count of ``"tool"``, ``"results"`` and ``"invocations"`` (memory
   speed, about 1 ms per MB);
2. ``runs[*].invocations`` when there are any: a failed execution or an
   ``error`` notification goes to ``ReportInfo.scan_errors`` (such a scan is
   not clean, so a full-scope ingest resolves nothing by absence);
3. ``runs[*].tool`` — each run's tool and rules, validated with the
   maintained **sarif-pydantic** model (``Tool``, ``ReportingDescriptor``;
   see :mod:`._sarif_rules`). Rules must be known before results, which
   point at them by ``ruleIndex``; Semgrep (and SARIF's Appendix K) write
   ``results`` *before* ``tool``, hence a pass of its own. When the bytes
   hold one ``"tool"`` and at most one ``"results"`` (a single-run log, the
   usual case) the tool is read lazily: free when it comes first. Otherwise
   every tool is read, and one more event pass counts each run's results
   (ijson yields results without saying which run they are in). A run with
   results but no tool is malformed; in the single-run fast path an
   (invalid) second, tool-less run would be credited to the log's tool;
4. ``runs[*].results[*]`` — each result mapped by :mod:`._sarif_result`.

**Results are read with cheap typed checks, not the model.** Measured on
``benchmarks/gen_sarif.py 100000`` (65 MB, 200 rules; CPU time on the
2-core box, whole ``read_report`` including normalisation, fingerprinting
and dedup): 1.95-2.1 s, **48,000-51,000 results/s**, peak RSS 127 MiB
(77 MiB of it the interpreter and imports); with
``sarif_pydantic.Result.model_validate`` on every result, 2.7-2.8 s, about
36,000 results/s, under the 50,000/s target (the model alone costs 7.4 µs
a result, ijson's parse 4.7 µs). Rules written last cost one more scan:
2.2-2.4 s, 41,000-45,000 results/s. The model is also stricter than real
tools: it rejects Black Duck's nested ``fingerprints`` values and
Flawfinder's message-less ``pass`` result, which every other SARIF reader
accepts. Tools and rules (one validation per run and per rule) do go
through the model, and so a tool that breaks it makes the log malformed.

Mapping (one documented table each in :mod:`._sarif_rules`):

* **severity**: result ``properties`` score (``security-severity``,
  ``cvssv3_baseScore``; CVSS bands) or label (``severity``,
  ``issue_severity``, ``problem.severity``, ``securityRisk``; ``SEVERITY``),
  then the rule's, then ``level``, then the rule's
  ``defaultConfiguration.level``, then SARIF's default ``warning``;
* **tool type** from the driver name (``TOOL_TYPES``), refined per rule by a
  ``misconfiguration`` (iac) or ``secret`` (secrets) tag; an unlisted tool's
  result with a CVE id is SCA;
* **CWE** from ``tags`` (``external/cwe/cwe-079``, ``CWE-79: ...``),
  ``properties.cwe`` and CWE taxonomy relationships; **CVE** from the rule
  id and the message;
* **title** is the message's first line (``message.text``, ``markdown``,
  or the rule's ``messageStrings`` template filled with ``arguments``),
  else the rule's short description; **description** the whole message plus
  the rule's full description;
* **locations** from ``physicalLocation``: ``artifactLocation.uri``
  (``file://`` stripped, percent-decoded; ``uriBaseId`` ignored; a location
  with only an ``index`` is skipped), region lines and columns, snippet from
  ``region.snippet`` else ``contextRegion.snippet``;
* **tool fingerprint**: ``fingerprints`` over ``partialFingerprints`` (the
  spec calls the former stable); see :func:`._sarif_result.tool_fingerprint`;
* **suppressed** when any suppression has status ``accepted`` or none;
* results of kind ``pass``, ``notApplicable``, ``informational`` and of
  baseline state ``absent`` are not problems and yield nothing.

An empty ``runs`` array or a run without results is a valid log with zero
findings.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from typing import BinaryIO, Final

import ijson

from pearl_core.errors import MalformedReport
from pearl_core.ingest import sanitize
from pearl_core.ingest.formats._sarif_result import map_result
from pearl_core.ingest.formats._sarif_rules import RunContext, run_context
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo, Sniff

__all__ = ["PARSER", "SarifParser"]

_HEAD: Final = 64 * 1024
_SCAN_CHUNK: Final = 1024 * 1024
_TOOL, _RESULTS, _INVOCATIONS = b'"tool"', b'"results"', b'"invocations"'
_KEYS: Final = (_TOOL, _RESULTS, _INVOCATIONS)
_OVERLAP: Final = max(len(key) for key in _KEYS) - 1
_MAX_SCAN_ERRORS: Final = 100
_NOT_A_VALUE: Final = frozenset({"map_key", "end_map", "end_array"})
_RUN_PREFIXES: Final = frozenset({"runs.item", "runs.item.results.item"})


def _malformed(reason: str) -> MalformedReport:
    return MalformedReport(f"not a SARIF 2.1.0 log: {reason}", format="sarif", reason=reason)


def _check_envelope(head: bytes) -> None:
    """Check what the head shows of the top level: an object, version 2.1, runs an array."""
    key = None
    seen_runs = False
    try:
        for prefix, event, value in ijson.parse(head, use_float=True):
            if prefix == "" and event not in ("map_key", "start_map", "end_map"):
                raise _malformed("the top level is not an object")
            if prefix == "" and event == "map_key":
                key = value
            elif prefix == "version" and key == "version":
                if not (isinstance(value, str) and value.startswith("2.1")):
                    raise _malformed("unsupported version")
            elif prefix == "runs" and key == "runs" and event != "end_array":
                if event not in ("start_array", "null"):  # null: the tool failed to start
                    raise _malformed("runs is not an array")
                seen_runs = True
            elif prefix == "" and event == "end_map" and not seen_runs:
                raise _malformed("no runs")
    except ijson.IncompleteJSONError:
        # The head of a large log ends mid-document; the full parse judges the rest.
        return


def _count_keys(source: BinaryIO) -> dict[bytes, int]:
    """How often ``"tool"``, ``"results"`` and ``"invocations"`` occur in the raw bytes.

    A count at memory speed (about 1 ms per MB) that lets a single-run log,
    nearly all of them, skip the full tool pass: its one tool is read
    lazily, and where ``tool`` comes first that costs nothing. The same
    string elsewhere (a value, a property bag) only sends the log down the
    exact, slower path. Chunks overlap so a key cut by a chunk edge counts.
    """
    counts = dict.fromkeys(_KEYS, 0)
    tail = b""
    while chunk := source.read(_SCAN_CHUNK):
        window = tail + chunk
        for key in _KEYS:
            counts[key] += window.count(key) - tail.count(key)
        tail = window[-_OVERLAP:]
    return counts


def _scan_errors(invocations: object) -> list[str]:
    """What a run's invocations say went wrong: a failed execution, error notifications."""
    errors: list[str] = []
    for invocation in invocations if isinstance(invocations, list) else []:
        if not isinstance(invocation, dict):
            continue
        if invocation.get("executionSuccessful") is False:
            code = invocation.get("exitCode")
            exit_code = f" (exit code {code})" if type(code) is int else ""
            errors.append(f"execution did not succeed{exit_code}")
        notifications = invocation.get("toolExecutionNotifications")
        for note in notifications if isinstance(notifications, list) else []:
            if isinstance(note, dict) and note.get("level") == "error":
                message = note.get("message")
                text = message.get("text") if isinstance(message, dict) else None
                text = sanitize.line(text, 300) if isinstance(text, str) else ""
                errors.append(f"tool error: {text or 'no message'}")
    return errors[:_MAX_SCAN_ERRORS]


def _run_counts(source: BinaryIO) -> list[tuple[int, int]]:
    """For each run: how many ``tool`` keys it has (1, unless broken), and its results.

    Only events at the two prefixes that matter reach Python (a C-level
    ``compress`` over the event stream), so this pass costs about as much as
    a parse.
    """
    events, prefixes = itertools.tee(ijson.parse(source, use_float=True))
    wanted = map(_RUN_PREFIXES.__contains__, map(operator.itemgetter(0), prefixes))
    runs: list[list[int]] = []
    for prefix, event, value in itertools.compress(events, wanted):
        if prefix == "runs.item":
            if event == "start_map":
                runs.append([0, 0])
            elif event == "map_key" and value == "tool":
                runs[-1][0] += 1
        elif event not in _NOT_A_VALUE and runs:
            runs[-1][1] += 1
    return [(tool_keys, count) for tool_keys, count in runs]


def _assign(
    contexts: list[RunContext], counts: list[tuple[int, int]] | None
) -> Iterator[tuple[int, RunContext]]:
    """The (run index, context) of each result, in document order."""
    if counts is None:
        if not contexts:
            raise _malformed("a run has results but no tool")
        while True:
            yield 0, contexts[0]
    tools = iter(contexts)
    for index, (tool_keys, count) in enumerate(counts):
        context = None
        for _ in range(tool_keys):  # a repeated key: the last one wins, as in json.load
            context = next(tools, None)
        if context is None:
            if count:
                raise _malformed(f"runs[{index}] has results but no tool")
            continue
        for _ in range(count):
            yield index, context
    raise _malformed("more results than the runs hold")


class SarifParser:
    """SARIF 2.1.0 logs (see the module docstring)."""

    name = "sarif"

    def sniff(self, sniff: Sniff) -> bool:
        if sniff.shape != "object" or "runs" not in sniff.keys:
            return False
        return bool({"version", "$schema"} & sniff.keys or {"tool", "results"} & sniff.nested_keys)

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        start = source.tell()
        _check_envelope(source.read(_HEAD))
        source.seek(start)
        keys = _count_keys(source)
        single = keys[_TOOL] == 1 and keys[_RESULTS] <= 1
        if keys[_INVOCATIONS]:
            source.seek(start)
            found = ijson.items(source, "runs.item.invocations", use_float=True)
            for invocations in itertools.islice(found, keys[_INVOCATIONS]):
                info.scan_errors.extend(_scan_errors(invocations))
        source.seek(start)
        raw_tools = ijson.items(source, "runs.item.tool", use_float=True)
        counts = None
        if single:
            contexts = [run_context(0, raw) for raw in itertools.islice(raw_tools, 1)]
        else:
            contexts = [run_context(index, raw) for index, raw in enumerate(raw_tools)]
            source.seek(start)
            counts = _run_counts(source)
        for context in contexts:
            info.tool_names.add(context.tool_name)
        if contexts and info.tool_version is None:
            info.tool_version = contexts[0].tool_version
        source.seek(start)
        places = _assign(contexts, counts)
        current, position = -1, 0
        for raw in ijson.items(source, "runs.item.results.item", use_float=True):
            run_index, context = next(places)
            if run_index != current:
                current, position = run_index, 0
            mapped = map_result(raw, context, f"runs[{run_index}].results[{position}]")
            position += 1
            if mapped is not None:
                yield mapped


PARSER: Final = SarifParser()
