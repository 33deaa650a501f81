"""What the dependency scanners (Snyk, Trivy, Grype, pip-audit, OSV-Scanner) share.

Three things must agree across these tools, or the pipeline's cross-tool key
(``cve|ecosystem|package|manifest``) never matches:

* **Ecosystem names.** :func:`ecosystem` maps each tool's word for a package
  ecosystem (Snyk ``pip``, Trivy ``poetry``, Grype ``python``, OSV ``PyPI``...)
  to one lower-case name: the package-URL type for language ecosystems
  (``pypi``, ``npm``, ``maven``, ``golang``, ``composer``, ``gem``, ``cargo``,
  ``nuget``...) and the distribution for operating-system packages
  (``debian``, ``ubuntu``, ``alpine``, ``redhat``, ``suse``...).
* **CVE ids.** :func:`strict_cves` keeps only whole strings matching
  ``^CVE-\\d{4}-\\d{4,}$``; other advisory ids (GHSA, PYSEC, SNYK...) are rule ids.
* **The fixed version.** Tools list several fixed versions, one per release
  line (``"11.0.14, 10.1.49, 9.0.112"``); :func:`pick_fixed` chooses the lowest
  one above the installed version, the upgrade a user would actually make.

Operating-system packages found in an image are ``container`` findings;
language packages are ``sca`` findings, wherever they were found
(:func:`tool_type_for`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pearl_core.domain.enums import ToolType
from pearl_core.ingest.formats._jsonfields import BadRecord, text
from pearl_core.ingest.records import ParsedPackage

__all__ = [
    "OS_ECOSYSTEMS",
    "ecosystem",
    "package",
    "pick_fixed",
    "required",
    "strict_cves",
    "tool_type_for",
]

_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_NUMBER = re.compile(r"\d{1,12}")  # bounded: int() of a 5,000-digit run raises
_EPOCH = re.compile(r"^\d+:")
_CONSTRAINT = re.compile(r"^[\s<>=~^!]+")
_PEP503 = re.compile(r"[-_.]+")

_ALIASES: dict[str, tuple[str, ...]] = {
    "pypi": ("pip", "pipenv", "poetry", "python", "python-pkg", "uv", "pdm"),
    "npm": ("yarn", "pnpm", "bun", "node", "node-pkg", "javascript"),
    "maven": ("gradle", "sbt", "jar", "pom", "java", "java-archive"),
    "golang": ("go", "gomod", "gobinary", "go-module", "gomodules", "golangdep", "govendor"),
    "composer": ("packagist", "php", "php-composer", "php-pecl-extension"),
    "gem": ("rubygems", "bundler", "gemspec", "ruby", "ruby-gem"),
    "cargo": ("crates.io", "rust", "rust-crate", "rust-binary"),
    "nuget": ("dotnet", "dotnet-core", "dotnet-deps", "packages-props", "paket"),
    "swift": ("swiftpm",),
    "pub": ("dart", "dart-pub"),
    "hex": ("mix", "erlang", "rebar3", "erlang-otp"),
    "debian": ("deb", "dpkg"),
    "alpine": ("apk",),
    "redhat": ("rhel", "red hat", "redhat-linux"),
    "suse": (
        "sles",
        "opensuse",
        "opensuse.leap",
        "opensuse.tumbleweed",
        "suse linux enterprise server",
        "suse linux enterprise micro",
    ),
    "amazon": ("amzn", "amazonlinux"),
    "oracle": ("ol", "oraclelinux", "oracle-oval"),
    "alma": ("almalinux",),
    "rocky": ("rockylinux",),
    "azurelinux": ("cbl-mariner", "mariner"),
}
_CANONICAL = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}

OS_ECOSYSTEMS = frozenset(
    {
        "debian", "ubuntu", "alpine", "redhat", "centos", "rocky", "alma", "amazon",
        "oracle", "photon", "suse", "fedora", "azurelinux", "wolfi", "chainguard",
        "bottlerocket", "rpm", "alpm", "portage",
    }
)  # fmt: skip
"""Ecosystems whose packages come from an operating-system distribution."""


def ecosystem(raw: str | None) -> str:
    """One tool's ecosystem word as PeaRL's lower-case name; ``"unknown"`` when absent.

    A distribution release suffix is dropped (Snyk ``debian:11``, OSV ``Alpine:v3.16``).
    """
    if not raw or not raw.strip():
        return "unknown"
    name = raw.strip().lower().split(":", 1)[0].strip()
    return _CANONICAL.get(name, name) or "unknown"


def required(record: dict[str, object], key: str) -> str:
    """A string field that must be present and non-empty."""
    value = text(record, key)
    if value is None:
        raise BadRecord(f"'{key}' is missing or empty")
    return value


def tool_type_for(eco: str) -> ToolType:
    """``container`` for an operating-system package, ``sca`` for a language package."""
    return ToolType.CONTAINER if eco in OS_ECOSYSTEMS else ToolType.SCA


def strict_cves(values: Iterable[object]) -> tuple[str, ...]:
    """The values that are whole CVE ids, in order, without repeats."""
    found = (v.strip().upper() for v in values if isinstance(v, str))
    return tuple(dict.fromkeys(v for v in found if _CVE.fullmatch(v)))


def pick_fixed(installed: str | None, candidates: Iterable[object]) -> str | None:
    """The lowest candidate version above ``installed`` (the first one when none compare).

    Candidates may be one comma-separated string (Trivy) and may carry a
    constraint prefix (``">=4.17.11"``); both are cleaned. Versions compare by
    their runs of digits, which orders every scheme these tools emit (semver,
    PEP 440, Debian and RPM releases) well enough to choose between release lines.
    """
    cleaned: list[str] = []
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        for part in candidate.split(","):
            version = _CONSTRAINT.sub("", part).strip()
            if version and version not in cleaned:
                cleaned.append(version)
    if not cleaned:
        return None
    if installed is None or len(cleaned) == 1:
        return cleaned[0]
    current = _key(installed)
    above = [v for v in cleaned if _key(v) > current]
    return min(above, key=_key) if above else cleaned[0]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in _NUMBER.findall(_EPOCH.sub("", version)))


def package(
    eco: str,
    name: str | None,
    version: str | None,
    *,
    fixed_version: str | None = None,
    manifest_path: str | None = None,
    purl: str | None = None,
) -> ParsedPackage:
    """A package reference; a record without a package name or version is unreadable.

    PyPI names are normalised (PEP 503: ``Django`` and ``django`` are one
    package), so two tools' reports of one package agree.
    """
    if not name:
        raise BadRecord("the package name is missing")
    if not version:
        raise BadRecord("the package version is missing")
    return ParsedPackage(
        ecosystem=eco,
        name=_PEP503.sub("-", name).lower() if eco == "pypi" else name,
        version=version,
        fixed_version=fixed_version or None,
        manifest_path=manifest_path or None,
        purl=purl if purl and purl.startswith("pkg:") else None,
    )
