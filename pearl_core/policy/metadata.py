"""Reading a Rego module's package and its ``# METADATA`` block.

The engines cannot read METADATA at run time (no ``rego.metadata.*``), so PeaRL
reads it here, when the bundle loads, and joins it to each reason by rule id.

The convention (``pearl policy check`` enforces it):

* Every non-test module declares ``package pearl.<...>`` (dotted identifiers)
  and carries a ``# METADATA`` block directly above the ``package`` line, with
  ``title`` and ``description``. The block is YAML in comments, OPA's
  annotation format; top-level keys are limited to OPA's annotation keys, so
  a typo such as ``titel`` is an error rather than silently ignored.
* A **rule module** is one whose package has three or more segments under
  ``pearl`` and no ``lib`` segment: ``pearl.guardrails.protected_paths``. Its
  block also needs ``custom.severity`` (``low``, ``moderate``, ``high``,
  ``critical``) and ``custom.hint`` (what to do about it). Its **rule id** is
  the package without ``pearl.``: ``guardrails.protected_paths``. A
  ``custom.rule_id``, if given, must equal it.
* Entrypoint packages (``pearl.gate``) and helpers (``pearl.lib.paths``)
  need only ``title`` and ``description``.
* Modules named ``*_test.rego`` are tests and need no METADATA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from pearl_core.domain.enums import RiskLevel

__all__ = ["ModuleInfo", "Problem", "RuleMetadata", "is_rule_package", "read_module"]

ANNOTATION_KEYS = frozenset(
    {
        "scope",
        "title",
        "description",
        "related_resources",
        "authors",
        "organizations",
        "schemas",
        "entrypoint",
        "custom",
    }
)
SEVERITIES = tuple(level.value for level in RiskLevel)

_PACKAGE = re.compile(r"^package\s+(?P<name>\S+)\s*(?:#.*)?$")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_DECISION = re.compile(r"^(?:default\s+)?decision\s*(?::=|=|if\b|\{|contains\b)", re.MULTILINE)
_METADATA = re.compile(r"^\s*#\s*METADATA\s*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # LibYAML when built with it


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a bundle, located (1-based line and column)."""

    file: str
    line: int | None
    column: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class RuleMetadata:
    """The METADATA of one rule module, keyed by ``rule_id`` in the bundle."""

    rule_id: str
    package: str
    path: str
    title: str
    description: str
    severity: str
    hint: str
    custom: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """What the loader needs from one ``.rego`` file, read without an engine."""

    path: str
    package: str | None
    annotations: Mapping[str, Any] | None
    defines_decision: bool
    problems: tuple[Problem, ...]
    rule: RuleMetadata | None = None


def is_rule_package(package: str) -> bool:
    """``pearl.<area>.<...>`` with no ``lib`` segment: a module that needs severity and hint."""
    parts = package.split(".")
    return len(parts) >= 3 and parts[0] == "pearl" and "lib" not in parts


def read_module(path: str, source: str, *, is_test: bool) -> ModuleInfo:
    """Read ``source``'s package and package-level METADATA; collect every problem."""
    problems: list[Problem] = []
    lines = source.splitlines()
    package, package_index = _find_package(path, lines, problems)
    annotations: Mapping[str, Any] | None = None
    block_found = False
    for start, end in _metadata_blocks(lines):
        parsed = _parse_block(path, lines, start, end, problems)
        if package_index is not None and end + 1 == package_index:
            annotations, block_found = parsed, True
    rule = None
    if not is_test and (annotations is not None or not block_found):  # a broken block: said
        rule = _check(path, package, annotations, package_index, problems)
    return ModuleInfo(
        path=path,
        package=package,
        annotations=annotations,
        defines_decision=not is_test and bool(_DECISION.search(source)),
        problems=tuple(problems),
        rule=rule,
    )


def _find_package(
    path: str, lines: list[str], problems: list[Problem]
) -> tuple[str | None, int | None]:
    for index, text in enumerate(lines):
        match = _PACKAGE.match(text)
        if match is None:
            continue
        name = match.group("name")
        if not _DOTTED.fullmatch(name):
            problems.append(Problem(path, index + 1, 9, "package must be a dotted name"))
            return None, index
        return name, index
    problems.append(Problem(path, 1, 1, "no package statement"))
    return None, None


def _metadata_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indexes of each ``# METADATA`` comment block."""
    blocks: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if _METADATA.match(lines[index]):
            end = index
            while end + 1 < len(lines) and lines[end + 1].lstrip().startswith("#"):
                end += 1
            blocks.append((index, end))
            index = end
        index += 1
    return blocks


def _parse_block(
    path: str, lines: list[str], start: int, end: int, problems: list[Problem]
) -> Mapping[str, Any] | None:
    body = []
    for text in lines[start + 1 : end + 1]:
        comment = text.lstrip()[1:]
        body.append(comment[1:] if comment.startswith(" ") else comment)
    try:
        parsed = yaml.load("\n".join(body), Loader=_YAML_LOADER)  # noqa: S506  (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = min(start + 2 + mark.line, end + 1) if mark is not None else start + 1
        problems.append(Problem(path, line, 1, f"METADATA is not valid YAML: {exc.problem}"))
        return None
    if not isinstance(parsed, dict):
        problems.append(Problem(path, start + 1, 1, "METADATA must be a YAML mapping"))
        return None
    unknown = sorted(str(key) for key in parsed if key not in ANNOTATION_KEYS)
    if unknown:
        problems.append(
            Problem(path, start + 1, 1, f"unknown METADATA key(s): {', '.join(unknown)}")
        )
    return parsed


def _check(
    path: str,
    package: str | None,
    notes: Mapping[str, Any] | None,
    package_index: int | None,
    problems: list[Problem],
) -> RuleMetadata | None:
    if package is None:
        return None
    line = (package_index or 0) + 1
    if package.split(".")[0] != "pearl":
        problems.append(Problem(path, line, 9, "policy packages must live under pearl."))
        return None
    if notes is None:
        problems.append(
            Problem(path, line, 1, "no # METADATA block directly above the package line")
        )
        return None
    found = len(problems)
    title, description = notes.get("title"), notes.get("description")
    for key, value in (("title", title), ("description", description)):
        if not _text(value):
            problems.append(Problem(path, line, 1, f"METADATA needs a non-empty {key}"))
    if not is_rule_package(package):
        return None
    custom = notes.get("custom")
    custom = custom if isinstance(custom, dict) else {}
    severity, hint = custom.get("severity"), custom.get("hint")
    if severity not in SEVERITIES:
        problems.append(
            Problem(
                path, line, 1, f"METADATA needs custom.severity, one of {', '.join(SEVERITIES)}"
            )
        )
    if not _text(hint):
        problems.append(Problem(path, line, 1, "METADATA needs a non-empty custom.hint"))
    rule_id = package.removeprefix("pearl.")
    if custom.get("rule_id", rule_id) != rule_id:
        problems.append(
            Problem(path, line, 1, f"custom.rule_id must be {rule_id!r} (the package path)")
        )
    if len(problems) > found:
        return None
    return RuleMetadata(
        rule_id=rule_id,
        package=package,
        path=path,
        title=str(title).strip(),
        description=str(description).strip(),
        severity=str(severity),
        hint=str(hint).strip(),
        custom={str(key): value for key, value in custom.items()},
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
