"""Which repository paths a fix may write: the findings' files, and nothing broad.

:func:`allowed_paths` lists globs in the shape the guard rails match
(``pearl.lib.paths.in_scope``: ``*`` stays in a segment, ``**`` crosses
them):

* each file a finding names (its locations, and a dependency's manifest),
  exactly, as a literal path;
* for a dependency, the manifest's siblings of the same family in the same
  directory (``pyproject.toml`` with ``poetry.lock``/``uv.lock``/``pdm.lock``,
  ``package.json`` with its lock files, ``go.mod`` with ``go.sum``...): an
  upgrade rewrites the lock file too;
* ``tests/**`` when the fix must come with tests (the root test folder by
  convention; nothing deeper is guessed).

A path is kept only when :func:`safe_relative_path` accepts it: repository-
relative, normalised, no ``..``, no absolute or home paths, none starting
with ``-`` (it would read as an option), no backslash, colon, control or
non-ASCII characters, no segment ending in a dot or a space, and no glob
metacharacters (a file named ``*`` must not widen the scope). A finding
whose path is refused simply adds no path: the packet then grants less,
never more. ``**``, ``*`` or ``.`` alone are never produced.
"""

from __future__ import annotations

import posixpath
import re
from typing import Final

from pearl_core.remediation.grouping import WorkUnit

__all__ = ["TESTS_GLOB", "allowed_paths", "safe_relative_path", "top_level_components"]

TESTS_GLOB: Final = "tests/**"
_MAX_PATH: Final = 1000  # a packet's allowed path is at most 1,000 characters
_BAD_CHARACTER: Final = re.compile(r"[^\x20-\x7e]|[\\:~*?\[\]{}!]")
_BAD_SEGMENT_END: Final = re.compile(r"[. ](/|$)")
_MANIFEST_FAMILIES: Final = (
    ("pyproject.toml", "poetry.lock", "uv.lock", "pdm.lock"),
    ("Pipfile", "Pipfile.lock"),
    ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"),
    ("go.mod", "go.sum"),
    ("Cargo.toml", "Cargo.lock"),
    ("Gemfile", "Gemfile.lock"),
    ("composer.json", "composer.lock"),
)


def safe_relative_path(path: str) -> str | None:
    """``path`` normalised, or ``None`` when it is not a plain repository-relative
    file path (the module docstring lists what is refused)."""
    if not path or path.startswith("/") or _BAD_CHARACTER.search(path):
        return None
    clean = posixpath.normpath(path)
    if clean in (".", "..") or clean.startswith(("../", "-")) or len(clean) > _MAX_PATH:
        return None
    return None if _BAD_SEGMENT_END.search(clean) else clean


def top_level_components(unit: WorkUnit) -> list[str]:
    """The first segment of each safe path the unit names (``app`` for ``app/db.py``,
    the file itself for a file at the root), sorted."""
    found = {safe.split("/", 1)[0] for path in unit.paths if (safe := safe_relative_path(path))}
    return sorted(found)


def _manifest_siblings(manifest: str) -> set[str]:
    directory, name = posixpath.split(manifest)
    for family in _MANIFEST_FAMILIES:
        if name.lower() in {member.lower() for member in family}:
            return {posixpath.join(directory, member) for member in family}
    return set()


def allowed_paths(unit: WorkUnit, *, include_tests: bool) -> list[str]:
    """The globs a fix of ``unit`` may write (see the module docstring), sorted."""
    allowed = {safe for path in unit.paths if (safe := safe_relative_path(path))}
    package = unit.package
    if package is not None and package.manifest_path:
        manifest = safe_relative_path(package.manifest_path)
        if manifest is not None:
            allowed |= _manifest_siblings(manifest)
    if include_tests:
        allowed.add(TESTS_GLOB)
    return sorted(allowed)
