"""The three context documents, small and explicit, and a pure compile over them."""

from __future__ import annotations

from typing import Any

from pearl_core import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
    compile_context,
)
from pearl_core.context import document_hash
from pearl_core.domain import (
    AppAutonomousCoding,
    Application,
    Architecture,
    BaselineDefaults,
    CodingDefaults,
    Component,
    IamDefaults,
    NetworkDefaults,
    TestingDefaults,
)
from pearl_core.domain.enums import (
    AutonomyMode,
    BusinessCriticality,
    DeliveryStage,
    Environment,
    ExternalExposure,
    RiskLevel,
)
from pearl_core.testing import DEFAULT_START, make_project

PROJECT = make_project(project_id="proj_payments")
BUNDLE_HASH = "b" * 64


def baseline(**overrides: Any) -> OrgBaseline:
    fields: dict[str, Any] = {
        "baseline_id": "orgb_main",
        "org_name": "Example",
        "defaults": BaselineDefaults(
            coding=CodingDefaults(secret_hardcoding_forbidden=True),
            iam=IamDefaults(least_privilege_required=True),
            network=NetworkDefaults(deny_by_default_preferred=True),
            testing=TestingDefaults(unit_tests_required=True),
        ),
    }
    return OrgBaseline(**(fields | overrides))


def profile(**overrides: Any) -> EnvironmentProfile:
    fields: dict[str, Any] = {
        "profile_id": "envp_dev",
        "environment": Environment.DEV,
        "delivery_stage": DeliveryStage.PROTOTYPE,
        "risk_level": RiskLevel.LOW,
        "autonomy_mode": AutonomyMode.SUPERVISED_AUTONOMOUS,
        "allowed_capabilities": ["code_edit", "test_run", "dependency_change"],
        "blocked_capabilities": ["prod_deploy"],
    }
    return EnvironmentProfile(**(fields | overrides))


def app_spec(*, ai_enabled: bool = False, **overrides: Any) -> ApplicationSpec:
    fields: dict[str, Any] = {
        "application": Application(
            app_id="payments-api",
            owner_team="team-payments",
            business_criticality=BusinessCriticality.HIGH,
            external_exposure=ExternalExposure.CUSTOMER_FACING,
            ai_enabled=ai_enabled,
        ),
        "architecture": Architecture(components=[Component(id="api", type="service")]),
    }
    return ApplicationSpec(**(fields | overrides))


def coding(**fields: Any) -> AppAutonomousCoding:
    return AppAutonomousCoding(**fields)


def version_of(kind: Any, doc_id: str, document: Any, version: int = 1) -> DocumentVersion:
    return DocumentVersion(
        kind=kind,
        doc_id=doc_id,
        version=version,
        content_hash=document_hash(document),
        created_by="usr_admin",
        created_at=DEFAULT_START,
        reason="test",
    )


def compile_(
    b: OrgBaseline | None = None,
    a: ApplicationSpec | None = None,
    p: EnvironmentProfile | None = None,
    *,
    package_id: str = "pkg_test",
    bundle_hash: str = BUNDLE_HASH,
    **overrides: Any,
) -> CompiledContextPackage:
    """``compile_context`` over the documents (defaults above) at version 1 each."""
    b, a, p = b or baseline(), a or app_spec(), p or profile()
    versions = {
        "org_baseline": version_of("org_baseline", b.baseline_id, b),
        "app_spec": version_of("app_spec", PROJECT.project_id, a),
        "environment_profile": version_of("environment_profile", p.profile_id, p),
    }
    arguments: dict[str, Any] = {
        "project": PROJECT,
        "package_id": package_id,
        "compiled_at": DEFAULT_START,
        "bundle_hash": bundle_hash,
        "versions": versions,
    }
    return compile_context(b, a, p, **(arguments | overrides))
