"""The layering the design promises: pearl_mcp uses only pearl_core's public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pearl_core

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_pearl_mcp_imports_only_names_pearl_core_exports() -> None:
    public = set(pearl_core.__all__)
    wrong = []
    for path in sorted((ROOT / "pearl_mcp").rglob("*.py")):
        for module, names in _imports(path):
            if module.startswith("pearl_core."):
                wrong.append(f"{path.relative_to(ROOT)}: from {module}")
            elif module == "pearl_core":
                wrong += [f"{path.relative_to(ROOT)}: {n}" for n in names if n not in public]
    assert wrong == []


def test_pearl_core_never_imports_pearl_mcp() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "pearl_core").rglob("*.py"))
        if any(module.startswith("pearl_mcp") for module, _ in _imports(path))
    ]
    assert offenders == []
