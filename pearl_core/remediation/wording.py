"""The sentences of a spec and a packet: what must be true, and within which limits.

Everything quoted here (rule ids, package names, paths, titles) comes from a
scanner and is data, never an instruction: it is stripped of control
characters, whitespace-collapsed and clipped before it is put in a sentence,
and only identifiers go in where an identifier exists (a rule id rather than
a title, CVE ids rather than advisory text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from pearl_core.ingest.fingerprint import normalise_path
from pearl_core.remediation.grouping import WorkUnit
from pearl_core.remediation.scope import safe_relative_path

__all__ = ["clip", "implementation_constraints", "required_outcome", "task_summary"]

_LIST_LIMIT: Final = 10
_SUPPRESSIONS: Final = (
    "# nosec, # nosemgrep, # noqa, # type: ignore, // NOSONAR, # gitleaks:allow, "
    "# pragma: allowlist secret, eslint-disable"
)


def clip(text: str, limit: int = 200) -> str:
    """``text`` without control characters, whitespace collapsed, at most ``limit`` chars."""
    printable = "".join(char if char.isprintable() else " " for char in text)
    collapsed = " ".join(printable.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"


def _listing(items: Sequence[str], limit: int = _LIST_LIMIT) -> str:
    shown = [clip(item, 120) for item in items[:limit]]
    more = len(items) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more} more" if more > 0 else text


def _lines(unit: WorkUnit, path: str) -> str:
    lines = sorted(
        {
            location.start_line
            for location in unit.locations
            if location.start_line and normalise_path(location.path) == path
        }
    )
    if not lines:
        return ""
    word = "line" if len(lines) == 1 else "lines"
    return f" ({word} {_listing([str(line) for line in lines])})"


def _advisories(unit: WorkUnit) -> Sequence[str]:
    return unit.cve_ids or unit.rule_ids or unit.finding_ids


def required_outcome(unit: WorkUnit) -> str:
    """One precise sentence: what must be true once the unit is fixed."""
    tools = _listing(unit.tool_names)
    if unit.kind == "dependency" and unit.package is not None:
        package = unit.package
        name = f"{clip(package.name, 120)} ({clip(package.ecosystem, 50)})"
        where = f" in {clip(package.manifest_path, 300)}" if package.manifest_path else ""
        advisories = _listing(_advisories(unit))
        if package.fixed_version is None:
            return (
                f"Replace or remove {name}{where}, or upgrade it to a release that fixes "
                f"{advisories}: no fixed version is known. {tools} must no longer report it."
            )
        return (
            f"Upgrade {name}{where} from {clip(package.version, 60)} to "
            f">= {clip(package.fixed_version, 60)} so that {advisories} no longer apply "
            f"and {tools} no longer reports them."
        )
    if unit.kind == "secret":
        path = unit.paths[0] if unit.paths else "the repository"
        return (
            f"Remove the hard-coded secret reported by {tools} rule {clip(unit.rule)} from "
            f"{clip(path, 300)}{_lines(unit, path)} and read it from configuration instead. "
            "The exposed credential must be revoked and rotated by its owner."
        )
    if not unit.locations:
        return (
            f"Resolve finding {unit.first.finding_id} ({clip(unit.first.title)}) so that "
            f"{tools} no longer reports it."
        )
    path = normalise_path(unit.first.locations[0].path)
    cwes = f" ({_listing(unit.cwe_ids)})" if unit.cwe_ids else ""
    count = len(unit.findings)
    occurrences = f" ({count} occurrences)" if count > 1 else ""
    return (
        f"Remove the {clip(unit.rule)} pattern{cwes} from {clip(path, 300)}{_lines(unit, path)}"
        f"{occurrences} without changing behaviour, so that {tools} no longer reports it."
    )


def task_summary(unit: WorkUnit) -> str:
    """A one-line title for the packet."""
    count = len(unit.findings)
    findings = f"{count} finding" + ("" if count == 1 else "s")
    if unit.kind == "dependency" and unit.package is not None:
        package = unit.package
        where = f" in {clip(package.manifest_path, 300)}" if package.manifest_path else ""
        target = f" to >= {clip(package.fixed_version, 60)}" if package.fixed_version else ""
        return f"Upgrade {clip(package.name, 120)}{where}{target} ({findings})."
    if unit.kind == "secret":
        where = f" from {clip(unit.paths[0], 300)}" if unit.paths else ""
        return f"Remove the hard-coded secret{where} ({findings})."
    where = f" in {clip(unit.paths[0], 300)}" if unit.paths else ""
    return f"Fix {clip(unit.rule)}{where} ({findings})."


def implementation_constraints(unit: WorkUnit, prohibited_patterns: Iterable[str]) -> list[str]:
    """The limits the fix must respect, most important first."""
    files = [safe for path in unit.paths if (safe := safe_relative_path(path))]
    paths = _listing(files) if files else "none: a human must scope the fix"
    constraints = [f"Change only the affected files ({paths}) and their tests; nothing else."]
    if unit.kind == "dependency" and unit.package is not None:
        constraints.append(
            f"Change only the version of {clip(unit.package.name, 120)}: add, remove or "
            "upgrade no other dependency."
        )
    else:
        constraints.append("Add no new dependencies.")
    tools = _listing(unit.tool_names)
    constraints += [
        f"Do not disable, weaken or reconfigure the rule or the scanner ({tools}).",
        f"Add no suppression comments or baseline entries (such as {_SUPPRESSIONS}).",
        "Keep every existing test passing; do not delete, skip or weaken tests.",
    ]
    if unit.kind == "secret":
        constraints.append("Never print, log, copy or commit the secret value.")
    prohibited = sorted(set(prohibited_patterns))
    if prohibited:
        constraints.append(f"Introduce none of the prohibited patterns: {', '.join(prohibited)}.")
    return constraints
