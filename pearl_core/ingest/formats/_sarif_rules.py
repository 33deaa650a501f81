"""SARIF runs' tools and rules, validated with the sarif-pydantic model.

Each run's ``tool`` is validated with :class:`sarif_pydantic.Tool` (rules
taken out first) and each rule of the driver and of every extension with
:class:`sarif_pydantic.ReportingDescriptor`, one by one: a bad tool makes the
document malformed, a bad rule is only left out (results that name it still
ingest, without its metadata). What the result mapping needs from a rule is
then precomputed once into a :class:`RuleInfo`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError
from sarif_pydantic import ReportingDescriptor, Tool

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.errors import MalformedReport
from pearl_core.ingest.severity import from_cvss

__all__ = [
    "CONFIDENCE",
    "LABEL_KEYS",
    "SCORE_KEYS",
    "SEVERITY",
    "TOOL_TYPES",
    "RuleInfo",
    "RunContext",
    "cwe_ids_in",
    "run_context",
    "severity_label",
]

SEVERITY: Final[dict[str, RiskLevel]] = {
    "critical": RiskLevel.CRITICAL,
    "blocker": RiskLevel.CRITICAL,
    "high": RiskLevel.HIGH,
    "error": RiskLevel.HIGH,
    "major": RiskLevel.HIGH,
    "medium": RiskLevel.MODERATE,
    "moderate": RiskLevel.MODERATE,
    "warning": RiskLevel.MODERATE,
    "low": RiskLevel.LOW,
    "minor": RiskLevel.LOW,
    "note": RiskLevel.LOW,
    "recommendation": RiskLevel.LOW,
    "info": RiskLevel.LOW,
    "informational": RiskLevel.LOW,
    "none": RiskLevel.LOW,
}
"""SARIF levels and the severity labels tools put in property bags → PeaRL."""

CONFIDENCE: Final[dict[str, Confidence]] = {
    "very-high": Confidence.HIGH,
    "high": Confidence.HIGH,
    "medium": Confidence.MEDIUM,
    "low": Confidence.LOW,
    "very-low": Confidence.LOW,
}

TOOL_TYPES: Final[tuple[tuple[str, ToolType], ...]] = (
    ("snykcode", ToolType.SAST),
    ("snykcontainer", ToolType.CONTAINER),
    ("snykiac", ToolType.IAC),
    ("snykinfrastructure", ToolType.IAC),
    ("snyk", ToolType.SCA),
    ("trivy", ToolType.SCA),
    ("grype", ToolType.SCA),
    ("dependencycheck", ToolType.SCA),
    ("osvscanner", ToolType.SCA),
    ("pipaudit", ToolType.SCA),
    ("npmaudit", ToolType.SCA),
    ("blackduck", ToolType.SCA),
    ("retirejs", ToolType.SCA),
    ("gitleaks", ToolType.SECRETS),
    ("trufflehog", ToolType.SECRETS),
    ("detectsecrets", ToolType.SECRETS),
    ("ggshield", ToolType.SECRETS),
    ("gitguardian", ToolType.SECRETS),
    ("checkov", ToolType.IAC),
    ("kics", ToolType.IAC),
    ("tfsec", ToolType.IAC),
    ("terrascan", ToolType.IAC),
    ("cfnlint", ToolType.IAC),
    ("cfnnag", ToolType.IAC),
    ("kubelinter", ToolType.IAC),
    ("kubesec", ToolType.IAC),
    ("hadolint", ToolType.IAC),
    ("dockle", ToolType.CONTAINER),
    ("clair", ToolType.CONTAINER),
)
"""Substring of the driver name (lower case, letters and digits only) → tool type.
First match wins; a tool not listed is SAST, or SCA for a result with a CVE id."""

_TAG_TYPES: Final = {"misconfiguration": ToolType.IAC, "secret": ToolType.SECRETS}
_CWE_TAG: Final = re.compile(r"(?:^|/|\b)cwe[-_/ ]?0*(\d{1,6})\b", re.IGNORECASE)
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]")
_LEVELS: Final = frozenset({"none", "note", "warning", "error"})
SCORE_KEYS: Final = ("security-severity", "cvssv3_baseScore")
LABEL_KEYS: Final = ("severity", "issue_severity", "problem.severity", "securityRisk")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str | None
    title: str | None
    description: str | None
    level: str | None
    severity: RiskLevel | None
    confidence: Confidence | None
    cwe_ids: tuple[str, ...]
    tool_type: ToolType | None
    message_strings: dict[str, str]


@dataclass(slots=True)
class RunContext:
    tool_name: str
    tool_version: str | None
    tool_type: ToolType
    known_tool: bool
    rules: list[RuleInfo | None]
    extensions: list[list[RuleInfo | None]]
    by_id: dict[str, RuleInfo] = field(default_factory=dict)
    message_strings: dict[str, str] = field(default_factory=dict)


def cwe_ids_in(values: object) -> list[str]:
    """``CWE-<n>`` for every CWE mention in a tag, a string, or a list of them."""
    items = values if isinstance(values, list) else [values]
    found: list[str] = []
    for item in items[:200]:
        if isinstance(item, int) and not isinstance(item, bool):
            found.append(f"CWE-{item}")
        elif isinstance(item, str) and "cwe" in item.lower():
            found.extend(f"CWE-{match}" for match in _CWE_TAG.findall(item[:500]))
    return found


def severity_label(properties: dict[str, Any]) -> RiskLevel | None:
    """The severity in a property bag: a CVSS-like score first, then a label."""
    for key in SCORE_KEYS:
        score = properties.get(key)
        if score is not None:
            level = from_cvss(score if isinstance(score, int | float | str) else None)
            if level is not None:
                return level
    for key in LABEL_KEYS:
        label = properties.get(key)
        if isinstance(label, str) and label.strip().lower() in SEVERITY:
            return SEVERITY[label.strip().lower()]
    return None


def _text(message: Any) -> str | None:
    value = getattr(message, "text", None) if message is not None else None
    return value if isinstance(value, str) and value.strip() else None


def _strings(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    found: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            text = value.get("text") or value.get("markdown")
            if isinstance(text, str):
                found[str(key)] = text
    return found


def _rule_info(descriptor: ReportingDescriptor) -> RuleInfo:
    properties = descriptor.properties or {}
    cwe = cwe_ids_in(properties.get("tags")) + cwe_ids_in(properties.get("cwe"))
    for relationship in descriptor.relationships or []:
        target = relationship.target
        component = target.tool_component
        if component is not None and (component.name or "").upper() == "CWE" and target.id:
            cwe.extend(cwe_ids_in(target.id if "cwe" in target.id.lower() else f"CWE-{target.id}"))
    tags = properties.get("tags")
    tag_type = None
    if isinstance(tags, list):
        tag_type = next(
            (_TAG_TYPES[t] for t in tags if isinstance(t, str) and t in _TAG_TYPES), None
        )
    precision = properties.get("precision")
    level = descriptor.default_configuration.level if descriptor.default_configuration else None
    extra = descriptor.model_extra or {}
    return RuleInfo(
        id=descriptor.id,
        title=_text(descriptor.short_description) or descriptor.name or None,
        description=_text(descriptor.full_description),
        level=level if level in _LEVELS else None,
        severity=severity_label(properties),
        confidence=CONFIDENCE.get(precision.lower()) if isinstance(precision, str) else None,
        cwe_ids=tuple(dict.fromkeys(cwe)),
        tool_type=tag_type,
        message_strings=_strings(extra.get("messageStrings")),
    )


def _rules(raw: object) -> list[RuleInfo | None]:
    if not isinstance(raw, list):
        return []
    rules: list[RuleInfo | None] = []
    for item in raw:
        try:
            rules.append(_rule_info(ReportingDescriptor.model_validate(item)))
        except ValidationError:
            rules.append(None)
    return rules


def _tool_type(name: str) -> tuple[ToolType, bool]:
    squashed = _NOT_ALNUM.sub("", name.lower())
    for needle, tool_type in TOOL_TYPES:
        if needle in squashed:
            return tool_type, True
    return ToolType.SAST, False


def _without_rules(component: object) -> object:
    if isinstance(component, dict):
        return {key: value for key, value in component.items() if key != "rules"}
    return component


def run_context(run_index: int, raw: object) -> RunContext:
    """The validated tool of one run; ``MalformedReport`` if it is not a SARIF tool."""
    stripped: object = raw
    driver_rules: object = None
    extension_rules: list[object] = []
    if isinstance(raw, dict) and isinstance(raw.get("driver"), dict):
        driver_rules = raw["driver"].get("rules")
        without: dict[str, object] = {**raw, "driver": _without_rules(raw["driver"])}
        extensions = raw.get("extensions")
        if isinstance(extensions, list):
            extension_rules = [e.get("rules") if isinstance(e, dict) else None for e in extensions]
            without["extensions"] = [_without_rules(e) for e in extensions]
        stripped = without
    try:
        tool = Tool.model_validate(stripped)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "tool"
        reason = f"runs[{run_index}].tool is not a SARIF tool ({where}: {first['type']})"
        raise MalformedReport(reason, format="sarif", reason=reason) from None
    driver = tool.driver
    tool_type, known = _tool_type(driver.name)
    context = RunContext(
        tool_name=driver.name,
        tool_version=driver.semantic_version or driver.version,
        tool_type=tool_type,
        known_tool=known,
        rules=_rules(driver_rules),
        extensions=[_rules(rules) for rules in extension_rules],
        message_strings=_strings((driver.model_extra or {}).get("globalMessageStrings")),
    )
    for rules in [*context.extensions, context.rules]:
        for rule in rules:
            if rule is not None and rule.id:
                context.by_id[rule.id] = rule
    return context
