"""Finding identity: the fingerprint that says "this is the same problem as last time".

A fingerprint is ``<scheme>:<64 hex>``, a SHA-256 over fields joined with
U+001F (unit separator: the sanitiser removes every control character from
the fields, so the join is unambiguous), UTF-8 encoded. The fields are the
*sanitised* values (see :mod:`pearl_core.ingest.sanitize`), so a title
trimmed of a bidi override hashes like the clean title. The first scheme
that applies wins:

``tool:`` — the tool gave a stable id (``ParsedFinding.tool_fingerprint``:
    SARIF ``fingerprints``/``partialFingerprints``, Semgrep's fingerprint,
    Snyk's issue id + package path). Base: hash over
    ``("tool", tool_name, rule_id, path, tool_fingerprint)``. The tool knows
    its results best; the primary location's path is added because some
    tools' ids hash only the code text (CodeQL's ``primaryLocationLineHash``
    is the same for the same line in two files), and a path is part of what
    a problem is.

``sca:`` — a package is affected (``ParsedFinding.package``). Fingerprint:
    hash over ``("sca", tool_name, advisory, ecosystem, package name,
    manifest path)`` where *advisory* is the sorted CVE ids joined with
    ``,``, or the rule id when there is no CVE. **The installed version is
    not part of it**: an upgrade that does not fix the advisory is still the
    same problem in the same manifest (the finding stays open and is
    updated, rather than closed and re-created), and a fixing upgrade makes
    the finding disappear from the next scan. Two versions of one package
    in one manifest with the same advisory are one finding. The manifest
    path is the package's ``manifest_path``, else the primary location's
    path, else empty. Ecosystem and name are canonicalised
    (:func:`canonical_ecosystem`, :func:`canonical_package_name`) so
    ``pip``/``PyPI`` and ``Django``/``django`` agree. Every scheme includes
    the tool name: the same CVE from two tools is joined by
    ``cross_tool_key`` (below), not by the fingerprint, so each tool's full
    scan resolves only its own findings.

``loc:`` — everything else (SAST, secrets, IaC...). Base: hash over
    ``("loc", tool_name, rule_id, path, context)`` where *path* is the
    primary location's normalised path and *context* is
    ``"s:" + snippet hash`` when the tool gave a snippet, else
    ``"t:" + title``. **Line and column numbers never enter the hash**, so
    the same problem still matches after lines above it move.

For ``tool:`` and ``loc:`` the fingerprint is ``<scheme>:<base>`` for the
first hit of a base in a report and ``<scheme>:`` + hash over
``(base, n)`` for the n-th further hit (:func:`numbered`): two hits of the
same rule on the same code in one file (``eval(x)`` twice) stay distinct,
numbered in report order by :mod:`pearl_core.ingest.dedup`; a second hit at
the *same* line and column is a duplicate and is dropped, not numbered.

Known limits: a tool whose title embeds the line number and gives no snippet
loses identity when lines move; paths are compared as the tool wrote them,
so a tool run with absolute paths from a different checkout directory gives
new fingerprints (run scanners on relative paths; a checkout prefix cannot
be told apart from a real directory, so it is not guessed away); inserting
an identical copy of flagged code *above* an existing one renumbers them.

Paths are normalised by :func:`normalise_path`: ``\\`` becomes ``/``, runs of
``/`` collapse, ``./`` segments and a leading ``./`` go, case is kept
(paths are case-sensitive on the systems scanners run on), ``..`` is kept.

The snippet hash stored on each location is SHA-256 over the normalised
snippet (:func:`normalise_snippet`: whitespace runs collapsed to one space,
stripped, NFC): re-indenting code does not change it, and the snippet itself,
which may hold a secret, is never stored.

``cross_tool_key`` is ``cve|ecosystem|name|manifest_path`` (lowest CVE id,
canonical ecosystem and name) for a finding with a CVE and a package: two
tools reporting the same vulnerable package in the same manifest share it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Final

from pearl_core.ingest.records import ParsedFinding

__all__ = [
    "ECOSYSTEM_ALIASES",
    "canonical_ecosystem",
    "canonical_package_name",
    "cross_tool_key",
    "identity",
    "normalise_path",
    "normalise_snippet",
    "numbered",
    "snippet_hash",
]

_SEP: Final = "\x1f"
_SLASHES: Final = re.compile(r"/{2,}")
_PEP503: Final = re.compile(r"[-_.]+")

ECOSYSTEM_ALIASES: Final[dict[str, str]] = {
    "pip": "pypi",
    "python": "pypi",
    "poetry": "pypi",
    "pipenv": "pypi",
    "node": "npm",
    "nodejs": "npm",
    "javascript": "npm",
    "yarn": "npm",
    "pnpm": "npm",
    "golang": "go",
    "gomod": "go",
    "gobinary": "go",
    "java": "maven",
    "gradle": "maven",
    "jar": "maven",
    "java-archive": "maven",
    "rubygems": "gem",
    "bundler": "gem",
    "ruby": "gem",
    "rust": "cargo",
    "crates.io": "cargo",
    "dotnet": "nuget",
    "php": "composer",
    "packagist": "composer",
}
"""Scanner spellings of an ecosystem → PeaRL's (lower case, registry-named)."""


def _sha(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def normalise_path(path: str) -> str:
    """A repository path compared as scanners mean it (see the module docstring)."""
    path = path.replace("\\", "/")
    if "//" in path:
        path = _SLASHES.sub("/", path)
    while path.startswith("./"):
        path = path[2:]
    if "/./" in path:
        while "/./" in path:
            path = path.replace("/./", "/")
    if path.endswith("/.") and len(path) > 2:
        path = path[:-2]
    return path


def normalise_snippet(snippet: str) -> str:
    """Whitespace-insensitive code context: runs collapsed to one space, stripped, NFC."""
    collapsed = " ".join(snippet.split())
    if not collapsed.isascii():
        collapsed = unicodedata.normalize("NFC", collapsed)
    return collapsed


def snippet_hash(snippet: str | None) -> str | None:
    """SHA-256 hex of the normalised snippet; ``None`` for no or blank snippet."""
    if snippet is None:
        return None
    normalised = normalise_snippet(snippet)
    if not normalised:
        return None
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_ecosystem(ecosystem: str) -> str:
    lowered = ecosystem.strip().lower()
    return ECOSYSTEM_ALIASES.get(lowered, lowered)


def canonical_package_name(ecosystem: str, name: str) -> str:
    """Lower case; PyPI names also PEP 503-normalised (``Foo_Bar`` → ``foo-bar``)."""
    lowered = name.strip().lower()
    if canonical_ecosystem(ecosystem) == "pypi":
        return _PEP503.sub("-", lowered)
    return lowered


def _manifest(finding: ParsedFinding) -> str:
    package = finding.package
    if package is not None and package.manifest_path:
        return normalise_path(package.manifest_path)
    if finding.locations:
        return normalise_path(finding.locations[0].path)
    return ""


def identity(finding: ParsedFinding, primary_snippet_hash: str | None) -> tuple[str, str]:
    """``(scheme, key)`` for a sanitised finding.

    For ``sca`` the key is the final fingerprint. For ``tool`` and ``loc`` it
    is the base that :func:`numbered` completes with the occurrence number
    the pipeline assigns.
    """
    rule = finding.rule_id or ""
    path = normalise_path(finding.locations[0].path) if finding.locations else ""
    if finding.tool_fingerprint:
        return "tool", _sha("tool", finding.tool_name, rule, path, finding.tool_fingerprint)
    package = finding.package
    if package is not None:
        advisory = ",".join(sorted(set(finding.cve_ids))) or rule
        ecosystem = canonical_ecosystem(package.ecosystem)
        name = canonical_package_name(package.ecosystem, package.name)
        digest = _sha("sca", finding.tool_name, advisory, ecosystem, name, _manifest(finding))
        return "sca", "sca:" + digest
    context = "s:" + primary_snippet_hash if primary_snippet_hash else "t:" + finding.title
    return "loc", _sha("loc", finding.tool_name, rule, path, context)


def numbered(scheme: str, base: str, occurrence: int) -> str:
    """The ``tool:``/``loc:`` fingerprint of the ``occurrence``-th hit (0-based) of ``base``.

    The first hit is ``<scheme>:<base>``; later ones hash the base with their number.
    """
    if occurrence == 0:
        return f"{scheme}:{base}"
    return f"{scheme}:" + _sha(base, str(occurrence))


def cross_tool_key(finding: ParsedFinding) -> str | None:
    """``cve|ecosystem|name|manifest_path`` for a packaged finding with a CVE, else ``None``."""
    package = finding.package
    if package is None or not finding.cve_ids:
        return None
    cve = min(finding.cve_ids)
    ecosystem = canonical_ecosystem(package.ecosystem)
    name = canonical_package_name(package.ecosystem, package.name)
    return f"{cve}|{ecosystem}|{name}|{_manifest(finding)}"
