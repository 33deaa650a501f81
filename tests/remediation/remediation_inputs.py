"""Real inputs for remediation tests: findings of one project, and a context
compiled by ``compile_context`` from the seed policies in ``policies/``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from pearl_core import (
    CompiledContextPackage,
    DocumentVersion,
    EnvironmentProfile,
    Finding,
    OrgBaseline,
    compile_context,
)
from pearl_core.context import document_hash
from pearl_core.domain.enums import Environment, ToolType, TrustLabel
from pearl_core.domain.findings import FindingSource, Location, PackageRef
from pearl_core.settings import default_policies_dir
from pearl_core.testing import DEFAULT_START, make_app_spec, make_finding, make_project

PROJECT_ID: Final = "proj_shop"
PACKAGE_ID: Final = "pkg_shop"
TRACE_ID: Final = "trc_remediation_test"
GENERATED_AT: Final = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def source(tool_name: str, tool_type: ToolType) -> FindingSource:
    return FindingSource(
        tool_name=tool_name, tool_type=tool_type, trust_label=TrustLabel.TRUSTED_INTERNAL
    )


def sast(path: str = "app/db.py", line: int = 10, **overrides: Any) -> Finding:
    """A high-severity Semgrep SQL injection finding in the dev environment."""
    fields: dict[str, Any] = {
        "rule_id": "pearl.python.sql-injection",
        "cwe_ids": ["CWE-89"],
        "locations": [Location(path=path, start_line=line, end_line=line)],
    }
    return make_finding(project_id=PROJECT_ID, **(fields | overrides))


def sca(
    name: str = "requests",
    fixed: str | None = "2.32.0",
    *,
    manifest: str | None = "requirements.txt",
    version: str = "2.19.0",
    ecosystem: str = "pypi",
    cve: str = "CVE-2024-35195",
    **overrides: Any,
) -> Finding:
    """A pip-audit finding against ``name`` in ``manifest``."""
    fields: dict[str, Any] = {
        "source": source("pip-audit", ToolType.SCA),
        "title": f"{name} {version} is vulnerable",
        "rule_id": f"PYSEC-{cve}",
        "cwe_ids": [],
        "cve_ids": [cve],
        "locations": [Location(path=manifest)] if manifest else [],
        "package": PackageRef(
            ecosystem=ecosystem,
            name=name,
            version=version,
            fixed_version=fixed,
            manifest_path=manifest,
        ),
        "fix_available": fixed is not None,
    }
    return make_finding(project_id=PROJECT_ID, **(fields | overrides))


def secret(path: str = "config/settings.py", line: int = 3, **overrides: Any) -> Finding:
    """A Gitleaks finding: one hard-coded credential."""
    fields: dict[str, Any] = {
        "source": source("gitleaks", ToolType.SECRETS),
        "title": "Hard-coded secret: AWS access key",
        "rule_id": "aws-access-token",
        "cwe_ids": ["CWE-798"],
        "locations": [Location(path=path, start_line=line, end_line=line)],
    }
    return make_finding(project_id=PROJECT_ID, **(fields | overrides))


def _version(kind: Any, doc_id: str, document: Any) -> DocumentVersion:
    return DocumentVersion(
        kind=kind,
        doc_id=doc_id,
        version=1,
        content_hash=document_hash(document),
        created_by="usr_admin",
        created_at=DEFAULT_START,
        reason="test",
    )


def seed_context(
    environment: Environment = Environment.DEV, **profile_changes: Any
) -> CompiledContextPackage:
    """The seed org baseline and environment profile of ``policies/``, with an
    app spec from the factories, compiled for :data:`PROJECT_ID`."""
    root = default_policies_dir()
    baseline = OrgBaseline.model_validate_json((root / "org-baseline.json").read_bytes())
    profile = EnvironmentProfile.model_validate_json(
        (root / "environments" / f"{environment.value}.json").read_bytes()
    )
    profile = profile.model_copy(update=profile_changes)
    app_spec = make_app_spec()
    project = make_project(project_id=PROJECT_ID)
    return compile_context(
        baseline,
        app_spec,
        profile,
        project=project,
        package_id=PACKAGE_ID,
        compiled_at=DEFAULT_START,
        bundle_hash="b" * 64,
        versions={
            "org_baseline": _version("org_baseline", baseline.baseline_id, baseline),
            "app_spec": _version("app_spec", PROJECT_ID, app_spec),
            "environment_profile": _version("environment_profile", profile.profile_id, profile),
        },
    )
