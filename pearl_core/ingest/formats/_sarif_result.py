"""One SARIF ``result`` object → a :class:`ParsedFinding` (the hot path).

Results are read with cheap typed checks instead of the pydantic model (see
:mod:`pearl_core.ingest.formats.sarif` for the measurements that decided
it): every field is type-checked where it is read, a wrong type on a field
PeaRL needs quarantines the result, and a wrong type on an optional field is
treated as absent.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import unquote

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.formats._sarif_rules import (
    CONFIDENCE,
    SEVERITY,
    RuleInfo,
    RunContext,
    cwe_ids_in,
    severity_label,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined

__all__ = ["NOT_FINDINGS", "map_result", "tool_fingerprint"]

NOT_FINDINGS: Final = frozenset({"pass", "notApplicable", "informational"})
"""Result kinds that report the *absence* of a problem; they are skipped."""
_CVE: Final = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)
_POSITIONAL: Final = re.compile(r"column|offset|startline|endline|linenumber", re.IGNORECASE)
_VERSIONED: Final = re.compile(r"^(.*)/v(\d{1,9})$")
_PLACEHOLDER: Final = re.compile(r"\{(\d{1,3})\}")
_LEVELS: Final = frozenset({"none", "note", "warning", "error"})
_MAX_LOCATIONS: Final = 100
_MAX_ARGUMENTS: Final = 100
_KEY_CACHE_SIZE: Final = 256
_EMPTY: Final[dict[str, Any]] = {}
_FULL_KEYS: dict[str, tuple[str, int] | None] = {}
_PARTIAL_KEYS: dict[str, tuple[str, int] | None] = {}


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if type(value) is int else None


def _key_parts(key: str, partial: bool) -> tuple[str, int] | None:
    """``(name, version)`` of a fingerprint key; ``None`` for a positional partial key."""
    cache = _PARTIAL_KEYS if partial else _FULL_KEYS
    if key in cache:
        return cache[key]
    if partial and _POSITIONAL.search(key):
        found = None
    else:
        match = _VERSIONED.match(key)
        found = (match[1], int(match[2])) if match else (key, 0)
    if len(cache) < _KEY_CACHE_SIZE:
        cache[key] = found
    return found


#: Values that are not fingerprints: Semgrep writes ``"requires login"`` into
#: ``matchBasedId/v1`` of every result when run without a Semgrep account.
_PLACEHOLDERS: Final = frozenset({"requires login"})


def tool_fingerprint(result: dict[str, Any]) -> str | None:
    """The tool's stable id: ``fingerprints`` if any, else line-free ``partialFingerprints``.

    Values may be strings, numbers, or ``{"value": ...}`` (Black Duck). Of
    versioned keys (``name/v2``, ``name/v3``) the highest version is used.
    From ``partialFingerprints``, keys that name a position (``column``,
    ``offset``, ``startLine``...) are left out: they change when code moves.
    ``primaryLocationLineHash`` (CodeQL) is kept: it hashes the *text* at the
    location plus an occurrence counter, not the line number (it does not
    hash the path, which the ``tool:`` fingerprint adds).
    """
    for member, partial in (("fingerprints", False), ("partialFingerprints", True)):
        raw = result.get(member)
        if not isinstance(raw, dict) or not raw:
            continue
        best: dict[str, tuple[int, str, str]] = {}
        for key, value in raw.items():
            if type(value) is not str:
                if isinstance(value, dict):
                    value = value.get("value")
                if isinstance(value, int | float) and not isinstance(value, bool):
                    value = str(value)
                if not isinstance(value, str):
                    continue
            parts = _key_parts(key, partial)
            if parts is None or not value or value in _PLACEHOLDERS:
                continue
            name, version = parts
            if name not in best or version > best[name][0]:
                best[name] = (version, key, value)
        if len(best) == 1:
            _, key, value = next(iter(best.values()))
            return f"{key}={value}"
        if best:
            return "|".join(f"{key}={value}" for _, key, value in sorted(best.values()))
    return None


def _argument(value: object) -> str:
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _message(result: dict[str, Any], rule: RuleInfo | None, run: RunContext) -> str | None:
    message = _dict(result.get("message"))
    text = _str(message.get("text")) or _str(message.get("markdown"))
    if text and text.strip():
        return text
    template_id = _str(message.get("id"))
    if template_id is None:
        return None
    template = (rule.message_strings.get(template_id) if rule else None) or (
        run.message_strings.get(template_id)
    )
    if template is None:
        return None
    arguments = message.get("arguments")
    args = [_argument(a) for a in arguments[:_MAX_ARGUMENTS]] if type(arguments) is list else []

    def fill(match: re.Match[str]) -> str:
        index = int(match[1])
        return args[index] if index < len(args) else match[0]

    return _PLACEHOLDER.sub(fill, template)


def _rule(result: dict[str, Any], run: RunContext, rule_id: str | None) -> RuleInfo | None:
    rules = run.rules
    index = _int(result.get("ruleIndex"))
    reference = result.get("rule")
    if isinstance(reference, dict):
        component = _int(_dict(reference.get("toolComponent")).get("index"))
        if component is not None and 0 <= component < len(run.extensions):
            rules = run.extensions[component]
        if index is None:
            index = _int(reference.get("index"))
    if index is not None and 0 <= index < len(rules):
        found = rules[index]
        if found is not None and (rule_id is None or found.id == rule_id):
            return found
    if rule_id is None:
        return None
    return run.by_id.get(rule_id) or run.by_id.get(rule_id.split("/", 1)[0])


def _path(uri: str) -> str:
    if uri.startswith("file:"):
        uri = uri[7:] if uri.startswith("file://") else uri[5:]
    return unquote(uri) if "%" in uri else uri


def _locations(result: dict[str, Any]) -> tuple[ParsedLocation, ...]:
    raw = result.get("locations")
    if type(raw) is not list:
        return ()
    found: list[ParsedLocation] = []
    for location in raw if len(raw) <= _MAX_LOCATIONS else raw[:_MAX_LOCATIONS]:
        physical = location.get("physicalLocation") if type(location) is dict else None
        if type(physical) is not dict:
            continue
        artifact = physical.get("artifactLocation")
        uri = artifact.get("uri") if type(artifact) is dict else None
        if type(uri) is not str or not uri:
            continue
        region = physical.get("region")
        if type(region) is not dict:
            region = _EMPTY
        snippet = region.get("snippet")
        snippet = snippet.get("text") if type(snippet) is dict else None
        if type(snippet) is not str:
            snippet = _str(_dict(_dict(physical.get("contextRegion")).get("snippet")).get("text"))
        start, end = region.get("startLine"), region.get("endLine")
        first, last = region.get("startColumn"), region.get("endColumn")
        found.append(
            ParsedLocation(
                path=_path(uri) if uri.startswith("file:") or "%" in uri else uri,
                start_line=start if type(start) is int else None,
                end_line=end if type(end) is int else None,
                start_column=first if type(first) is int else None,
                end_column=last if type(last) is int else None,
                snippet=snippet,
            )
        )
    return tuple(found)


def _suppressed(result: dict[str, Any]) -> bool:
    suppressions = result.get("suppressions")
    if not isinstance(suppressions, list):
        return False
    for suppression in suppressions:
        if isinstance(suppression, dict):
            status = suppression.get("status", suppression.get("state"))
            if status is None or status == "accepted":
                return True
    return False


def _severity(
    result: dict[str, Any], properties: dict[str, Any], rule: RuleInfo | None
) -> RiskLevel:
    found = severity_label(properties) if properties else None
    if found is None and rule is not None:
        found = rule.severity
    if found is not None:
        return found
    level = result.get("level")
    if type(level) is not str or level not in _LEVELS:
        level = rule.level if rule is not None and rule.level else "warning"
    return SEVERITY[level]


def _cve_ids(rule_id: str | None, message: str | None) -> tuple[str, ...]:
    found = _CVE.findall(rule_id) if rule_id and ("CVE" in rule_id or "cve" in rule_id) else []
    if message and ("CVE" in message or "cve" in message):
        found += _CVE.findall(message[:20_000])
    if not found:
        return ()
    return tuple(dict.fromkeys(cve.upper() for cve in found))


def map_result(raw: object, run: RunContext, ref: str) -> ParsedFinding | Quarantined | None:
    """The finding in ``raw``, a quarantine record, or ``None`` for a non-problem result."""
    if not isinstance(raw, dict):
        return Quarantined(raw_record_ref=ref, reason="result is not an object")
    result: dict[str, Any] = raw
    kind = result.get("kind")
    if (type(kind) is str and kind in NOT_FINDINGS) or result.get("baselineState") == "absent":
        return None
    rule_id = result.get("ruleId")
    if rule_id is None:
        rule_id = _dict(result.get("rule")).get("id")
    if rule_id is not None and not isinstance(rule_id, str):
        return Quarantined(raw_record_ref=ref, reason="ruleId is not a string")
    rule = _rule(result, run, rule_id)
    if rule_id is None and rule is not None:
        rule_id = rule.id
    message = _message(result, rule, run)
    title = message.strip().split("\n", 1)[0] if message else None
    if not title:
        title = (rule.title if rule else None) or rule_id or ""
    description = message
    if rule is not None and rule.description and rule.description != message:
        description = f"{message}\n\n{rule.description}" if message else rule.description
    properties = _dict(result.get("properties"))
    cwe = list(rule.cwe_ids) if rule is not None else []
    if properties:
        cwe += cwe_ids_in(properties.get("tags")) + cwe_ids_in(properties.get("cwe"))
    cve = _cve_ids(rule_id, message)
    tool_type = (rule.tool_type if rule is not None else None) or run.tool_type
    if not run.known_tool and cve and tool_type is ToolType.SAST:
        tool_type = ToolType.SCA
    confidence = properties.get("issue_confidence") or properties.get("confidence")
    fixes = result.get("fixes")
    return ParsedFinding(
        tool_name=run.tool_name,
        tool_type=tool_type,
        rule_id=rule_id,
        title=title,
        severity=_severity(result, properties, rule),
        raw_record_ref=ref,
        description=description,
        confidence=(CONFIDENCE.get(confidence.lower()) if isinstance(confidence, str) else None)
        or (rule.confidence if rule is not None else None),
        cwe_ids=tuple(dict.fromkeys(cwe)),
        cve_ids=cve,
        locations=_locations(result),
        fix_available=True if isinstance(fixes, list) and fixes else None,
        tool_fingerprint=tool_fingerprint(result),
        tool_version=run.tool_version,
        suppressed=_suppressed(result),
    )
