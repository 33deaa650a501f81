"""Small scanner reports written the way the tools write them, for ingest tests.

Semgrep JSON for code findings (no tool fingerprint, as a logged-out Semgrep
prints ``"requires login"``, so identity comes from rule, path and snippet),
Trivy and Grype JSON for the same vulnerable package seen by two tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from pearl_core.testing import make_principal


@dataclass(frozen=True)
class Hit:
    """One Semgrep result: a rule matching ``code`` at ``line`` of ``path``."""

    rule: str
    path: str
    line: int
    code: str
    message: str = "Dangerous call"
    severity: str = "ERROR"

    def moved(self, lines: int) -> Hit:
        return replace(self, line=self.line + lines)


HITS = (
    Hit("python.subprocess-shell-true", "app/run.py", 6, "subprocess.call(cmd, shell=True)"),
    Hit("python.pickle-loads", "app/load.py", 9, "return pickle.loads(data)", severity="WARNING"),
    Hit("python.md5", "app/digest.py", 12, "hashlib.md5(x).hexdigest()", severity="INFO"),
)


def semgrep(*hits: Hit, errors: list[dict[str, Any]] | None = None) -> bytes:
    results = [
        {
            "check_id": hit.rule,
            "path": hit.path,
            "start": {"line": hit.line, "col": 5, "offset": 0},
            "end": {"line": hit.line, "col": 5 + len(hit.code), "offset": len(hit.code)},
            "extra": {
                "message": hit.message,
                "severity": hit.severity,
                "metadata": {"cwe": ["CWE-78: OS Command Injection"]},
                "lines": hit.code,
                "fingerprint": "requires login",
            },
        }
        for hit in hits
    ]
    report = {"version": "1.185.0", "results": results, "errors": errors or [], "paths": {}}
    return json.dumps(report).encode()


def semgrep_with_a_bad_record(*hits: Hit) -> bytes:
    """``hits`` with a result lacking its ``path`` inserted second (``results[1]``)."""
    report = json.loads(semgrep(*hits))
    report["results"].insert(1, {"check_id": "python.broken", "extra": {"message": "x"}})
    return json.dumps(report).encode()


SCAN_ERROR = {"type": "Syntax error", "level": "warn", "message": "app/broken.py: parse error"}

CVE = "CVE-2024-22195"


def trivy(*packages: tuple[str, str, str]) -> bytes:
    """A Trivy report of ``(cve, package, version)`` in ``requirements.txt``."""
    vulnerabilities = [
        {
            "VulnerabilityID": cve,
            "PkgName": name,
            "InstalledVersion": version,
            "FixedVersion": "3.1.3",
            "Severity": "MEDIUM",
            "Title": f"{name}: HTML attribute injection",
            "Description": "Trivy's description of the advisory.",
        }
        for cve, name, version in packages
    ]
    result = {
        "Target": "requirements.txt",
        "Class": "lang-pkgs",
        "Type": "pip",
        "Vulnerabilities": vulnerabilities,
    }
    report = {
        "SchemaVersion": 2,
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        "Results": [result],
    }
    return json.dumps(report).encode()


def grype(*packages: tuple[str, str, str]) -> bytes:
    """A Grype report of ``(cve, package, version)`` in ``requirements.txt``."""
    matches = [
        {
            "vulnerability": {
                "id": cve,
                "severity": "Medium",
                "description": "Grype's description of the advisory.",
                "fix": {"versions": ["3.1.3"], "state": "fixed"},
            },
            "relatedVulnerabilities": [],
            "artifact": {
                "name": name,
                "version": version,
                "type": "python",
                "purl": f"pkg:pypi/{name}@{version}",
                "locations": [{"path": "requirements.txt"}],
            },
        }
        for cve, name, version in packages
    ]
    report = {"matches": matches, "source": {"type": "directory"}, "descriptor": {"name": "grype"}}
    return json.dumps(report).encode()


JINJA = (CVE, "jinja2", "3.1.2")
URLLIB = ("CVE-2023-45803", "urllib3", "1.26.5")

ORG = "org_ingest"
OPERATOR = make_principal(org_id=ORG)
