"""Policy bundles: the Rego modules and the data they read, loaded and hashed.

A bundle is read from two directories:

* the **Rego directory** (default: the repository's ``rego/``, or the copy
  bundled into the wheel): every ``*.rego`` below it, by path. Files named
  ``*_test.rego`` are tests; production engines leave them out and the test
  runner loads them. See :mod:`pearl_core.policy.metadata` for the METADATA
  convention every other module must follow.
* the **data directory** (default: ``policies/``): every ``*.json`` below it,
  merged into one document under ``data.pearl_data``, keyed by path without
  ``.json`` — ``policies/org-baseline.json`` is
  ``data.pearl_data["org-baseline"]`` and ``policies/environments/prod.json``
  is ``data.pearl_data.environments.prod``. Other files are ignored. The data
  lives outside ``data.pearl`` so an entrypoint can walk its rule packages
  (``data.pearl.gate[name]``) without meeting data.

**Entrypoints** are found, not listed: a non-test module whose line starts
with ``decision`` or ``default decision`` makes ``<package>.decision`` an
entrypoint (``pearl.guardrails.decision``).

The **bundle hash** is SHA-256 over the sorted ``(kind, path, sha256(bytes))``
of every non-test module and data file: a change to a rule or to data gives a
new hash; a change to a test does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.errors import PolicyLoadError
from pearl_core.policy.metadata import ModuleInfo, Problem, RuleMetadata, read_module

__all__ = ["DATA_ROOT", "PolicyBundle", "PolicyModule", "default_rego_dir", "load_bundle"]

DATA_ROOT = "pearl_data"
"""The top-level key under ``data`` where the data directory is mounted."""

TEST_SUFFIX = "_test.rego"


def default_rego_dir() -> Path:
    """``rego/`` of a source checkout, or the copy bundled into the wheel."""
    package_root = Path(__file__).resolve().parent.parent
    for candidate in (package_root.parent / "rego", package_root / "_data" / "rego"):
        if candidate.is_dir():
            return candidate
    return package_root.parent / "rego"


@dataclass(frozen=True, slots=True)
class PolicyModule:
    """One ``.rego`` file: its bundle-relative POSIX path, text and package."""

    path: str
    source: str
    package: str | None
    is_test: bool
    defines_decision: bool


@dataclass(frozen=True, slots=True)
class PolicyBundle:
    """A loaded, validated bundle. Plain data: safe to pickle to a worker process."""

    root: Path
    data_root: Path | None
    modules: tuple[PolicyModule, ...]
    data: Mapping[str, Any]
    rules: Mapping[str, RuleMetadata]
    hash: str
    entrypoints: tuple[str, ...] = field(default=())

    @property
    def policies(self) -> tuple[PolicyModule, ...]:
        """The modules production engines load (tests left out)."""
        return tuple(module for module in self.modules if not module.is_test)

    @property
    def tests(self) -> tuple[PolicyModule, ...]:
        return tuple(module for module in self.modules if module.is_test)

    @property
    def data_json(self) -> str:
        """The whole ``data`` document the engine gets, as JSON text."""
        return json.dumps({DATA_ROOT: self.data})

    def display_path(self, path: str) -> str:
        """A bundle-relative module path as the user can open it."""
        return str(self.root / path)

    def module(self, path: str) -> PolicyModule | None:
        return next((module for module in self.modules if module.path == path), None)


def load_bundle(rego_dir: Path | None = None, data_dir: Path | None = None) -> PolicyBundle:
    """Read, validate and hash a bundle; raise :class:`PolicyLoadError` listing every
    problem (missing METADATA, bad YAML, bad data JSON, no policies at all).

    ``rego_dir`` defaults to :func:`default_rego_dir`; ``data_dir`` is optional
    (``None``: no data). Compiling the Rego is the engine's job, not this one's.
    """
    root = rego_dir if rego_dir is not None else default_rego_dir()
    if not root.is_dir():
        raise PolicyLoadError("the policy directory does not exist", file=str(root))
    problems: list[Problem] = []
    infos: list[tuple[ModuleInfo, str]] = []
    digests: list[tuple[str, str, str]] = []
    for file in sorted(root.rglob("*.rego")):
        rel = file.relative_to(root).as_posix()
        raw = file.read_bytes()
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(file), None, None, f"not UTF-8: {exc.reason}"))
            continue
        is_test = rel.endswith(TEST_SUFFIX)
        info = read_module(rel, source, is_test=is_test)
        infos.append((info, source))
        problems.extend(_relocate(root, problem) for problem in info.problems)
        if not is_test:
            digests.append(("rego", rel, hashlib.sha256(raw).hexdigest()))
    if not any(kind == "rego" for kind, _, _ in digests):
        problems.append(Problem(str(root), None, None, "no .rego policies found"))
    data = _load_data(data_dir, problems, digests) if data_dir is not None else {}
    modules = tuple(
        PolicyModule(
            path=info.path,
            source=source,
            package=info.package,
            is_test=info.path.endswith(TEST_SUFFIX),
            defines_decision=info.defines_decision,
        )
        for info, source in infos
    )
    rules = _collect_rules(root, [info for info, _ in infos], problems)
    if problems:
        first = problems[0]
        raise PolicyLoadError(
            first.reason,
            file=first.file,
            line=first.line,
            column=first.column,
            problems=[problem.as_dict() for problem in problems],
        )
    return PolicyBundle(
        root=root,
        data_root=data_dir,
        modules=modules,
        data=data,
        rules=rules,
        hash=sha256_hex(canonical_json([list(entry) for entry in sorted(digests)])),
        entrypoints=tuple(
            sorted({f"{m.package}.decision" for m in modules if m.defines_decision and m.package})
        ),
    )


def _relocate(root: Path, problem: Problem) -> Problem:
    return Problem(str(root / problem.file), problem.line, problem.column, problem.reason)


def _collect_rules(
    root: Path, infos: list[ModuleInfo], problems: list[Problem]
) -> dict[str, RuleMetadata]:
    """Rule metadata by rule id; a package split over files must say the same."""
    rules: dict[str, RuleMetadata] = {}
    for info in infos:
        rule = info.rule
        if rule is None:
            continue
        seen = rules.get(rule.rule_id)
        if seen is not None and (seen.title, seen.severity, seen.hint) != (
            rule.title,
            rule.severity,
            rule.hint,
        ):
            problems.append(
                Problem(
                    str(root / info.path),
                    None,
                    None,
                    f"METADATA of {rule.rule_id} differs from {seen.path}",
                )
            )
        rules.setdefault(rule.rule_id, rule)
    return rules


def _load_data(
    data_dir: Path, problems: list[Problem], digests: list[tuple[str, str, str]]
) -> dict[str, Any]:
    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), None, None, "the data directory does not exist"))
        return {}
    data: dict[str, Any] = {}
    directories: set[tuple[str, ...]] = set()
    for file in sorted(data_dir.rglob("*.json")):
        rel = file.relative_to(data_dir)
        raw = file.read_bytes()
        digests.append(("data", rel.as_posix(), hashlib.sha256(raw).hexdigest()))
        try:
            value = json.loads(raw)
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(file), None, None, f"not UTF-8: {exc.reason}"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(file), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}"))
            continue
        keys = rel.with_suffix("").parts
        if not _place(data, directories, keys, value):
            problems.append(
                Problem(str(file), None, None, f"data key {'.'.join(keys)} is defined twice")
            )
    return data


def _place(
    data: dict[str, Any], directories: set[tuple[str, ...]], keys: tuple[str, ...], value: Any
) -> bool:
    """Put ``value`` at ``keys``; False when a file and a directory claim one key."""
    node = data
    for depth, part in enumerate(keys[:-1]):
        prefix = keys[: depth + 1]
        if part not in node:
            node[part] = {}
            directories.add(prefix)
        elif prefix not in directories:
            return False
        node = node[part]
    if keys[-1] in node:
        return False
    node[keys[-1]] = value
    return True
