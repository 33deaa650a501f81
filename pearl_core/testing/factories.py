"""Factories for PeaRL's entities: valid by default, any field overridable by keyword.

Every ``make_*`` builds a fresh id with :func:`pearl_core.ids.new_id`, stamps
times from :data:`~pearl_core.testing.clock.DEFAULT_START` (where a
:class:`~pearl_core.testing.FakeClock` starts) and puts identities in
:data:`DEFAULT_ORG_ID`, so entities and principals made without arguments
belong together. Keyword overrides replace fields wholesale and go through the
model's validation, so an invalid override fails at once::

    project = make_project()
    finding = make_finding(project_id=project.project_id, severity=RiskLevel.CRITICAL)

Project-bound entities get a fresh (not stored) project id unless given one;
pass the id of a stored project to add them to a store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from pearl_core.domain.app_spec import Application, ApplicationSpec, Architecture, Component
from pearl_core.domain.common import Integrity
from pearl_core.domain.compiled import (
    AutonomyPolicy,
    CompiledFrom,
    PackageMetadata,
    ProjectIdentity,
    SecurityRequirements,
)
from pearl_core.domain.context import (
    BaselineDefaults,
    CodingDefaults,
    CompiledContextPackage,
    EnvironmentProfile,
    IamDefaults,
    NetworkDefaults,
    OrgBaseline,
    TestingDefaults,
)
from pearl_core.domain.enums import (
    ApprovalDecisionValue,
    ApprovalLevel,
    ApprovalRequestType,
    AutonomyMode,
    BusinessCriticality,
    Confidence,
    DeliveryStage,
    Eligibility,
    Environment,
    ExternalExposure,
    FindingCategory,
    HashAlg,
    JobType,
    PrincipalKind,
    ReportFormat,
    ReportStatus,
    ReportType,
    RiskLevel,
    Role,
    TaskType,
    ToolType,
    TrustLabel,
)
from pearl_core.domain.findings import Finding, FindingSource, Location
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    ExceptionScope,
    Promotion,
)
from pearl_core.domain.identity import Org, Principal, ServiceAccount, Team, User
from pearl_core.domain.jobs import Job
from pearl_core.domain.project import Project
from pearl_core.domain.remediation import RemediationSpec, RiskSummary, TaskPacket
from pearl_core.domain.reports import Report
from pearl_core.ids import new_id
from pearl_core.testing.clock import DEFAULT_START

__all__ = [
    "DEFAULT_ORG_ID",
    "DEFAULT_TRACE_ID",
    "make_agent",
    "make_app_spec",
    "make_approval_decision",
    "make_approval_request",
    "make_compiled_package",
    "make_environment_profile",
    "make_exception",
    "make_finding",
    "make_human_reviewer",
    "make_job",
    "make_org",
    "make_org_baseline",
    "make_principal",
    "make_project",
    "make_promotion",
    "make_remediation_spec",
    "make_report",
    "make_service_account",
    "make_task_packet",
    "make_team",
    "make_user",
]

M = TypeVar("M", bound=BaseModel)

#: The org every factory-made identity belongs to unless told otherwise.
DEFAULT_ORG_ID: Final = "org_test"
#: The trace id factory-made documents carry.
DEFAULT_TRACE_ID: Final = "trc_factory0000000000000000"

_NOW = DEFAULT_START
_PROFILE_DEFAULTS: Final = {
    Environment.SANDBOX: (
        DeliveryStage.BOOTSTRAP,
        RiskLevel.LOW,
        AutonomyMode.DELEGATED_AUTONOMOUS,
    ),
    Environment.DEV: (DeliveryStage.PROTOTYPE, RiskLevel.LOW, AutonomyMode.SUPERVISED_AUTONOMOUS),
    Environment.PILOT: (
        DeliveryStage.PILOT,
        RiskLevel.MODERATE,
        AutonomyMode.SUPERVISED_AUTONOMOUS,
    ),
    Environment.PREPROD: (DeliveryStage.PREPROD, RiskLevel.HIGH, AutonomyMode.ASSISTIVE),
    Environment.PROD: (DeliveryStage.PROD, RiskLevel.CRITICAL, AutonomyMode.READ_ONLY),
}


def _build(model: type[M], defaults: dict[str, Any], overrides: dict[str, Any]) -> M:
    return model(**{**defaults, **overrides})


def _suffix(entity_id: str) -> str:
    """The random part of an id, for names that must be unique too."""
    return entity_id.split("_", 1)[1][-10:]


# -- identity ------------------------------------------------------------------


def make_org(**overrides: Any) -> Org:
    defaults = {"org_id": DEFAULT_ORG_ID, "name": "Test Org", "created_at": _NOW}
    return _build(Org, defaults, overrides)


def make_team(**overrides: Any) -> Team:
    defaults = {
        "team_id": new_id("team"),
        "org_id": DEFAULT_ORG_ID,
        "name": "AppSec",
        "created_at": _NOW,
    }
    return _build(Team, defaults, overrides)


def make_user(**overrides: Any) -> User:
    user_id = overrides.get("user_id") or new_id("usr")
    defaults = {
        "user_id": user_id,
        "org_id": DEFAULT_ORG_ID,
        "email": f"user-{_suffix(user_id)}@example.com",
        "display_name": "Test User",
        "created_at": _NOW,
    }
    return _build(User, defaults, overrides)


def make_service_account(**overrides: Any) -> ServiceAccount:
    account_id = overrides.get("service_account_id") or new_id("sa")
    defaults = {
        "service_account_id": account_id,
        "org_id": DEFAULT_ORG_ID,
        "name": f"agent-{_suffix(account_id)}",
        "created_at": _NOW,
    }
    return _build(ServiceAccount, defaults, overrides)


_DEFAULT_ROLES: Final = {
    PrincipalKind.HUMAN: frozenset({Role.OPERATOR}),
    PrincipalKind.SERVICE_ACCOUNT: frozenset({Role.SERVICE_ACCOUNT}),
    PrincipalKind.SYSTEM: frozenset({Role.OPERATOR}),
}


def make_principal(
    *,
    kind: PrincipalKind = PrincipalKind.HUMAN,
    roles: frozenset[Role] | set[Role] | None = None,
    org_id: str = DEFAULT_ORG_ID,
    **overrides: Any,
) -> Principal:
    """A principal of ``kind``; roles default to ``operator`` for humans and the
    system, ``service_account`` for service accounts."""
    if kind is PrincipalKind.SYSTEM:
        subject_id = "system:pearl-test"
    else:
        subject_id = new_id("usr" if kind is PrincipalKind.HUMAN else "sa")
    defaults = {
        "org_id": org_id,
        "subject_id": subject_id,
        "kind": kind,
        "roles": frozenset(roles) if roles is not None else _DEFAULT_ROLES[kind],
        "display_name": f"test {kind.value}",
    }
    return _build(Principal, defaults, overrides)


def make_human_reviewer(**overrides: Any) -> Principal:
    """A human holding ``reviewer``: someone who may decide approvals."""
    overrides.setdefault("roles", frozenset({Role.REVIEWER}))
    overrides.setdefault("display_name", "test reviewer")
    return make_principal(kind=PrincipalKind.HUMAN, **overrides)


def make_agent(**overrides: Any) -> Principal:
    """A service-account principal (an AI coding agent) owned by a human user."""
    overrides.setdefault("owner_user_id", new_id("usr"))
    overrides.setdefault("display_name", "test agent")
    return make_principal(kind=PrincipalKind.SERVICE_ACCOUNT, **overrides)


# -- projects and context ------------------------------------------------------


def make_project(**overrides: Any) -> Project:
    defaults = {
        "project_id": new_id("proj"),
        "name": "Payments API",
        "owner_team": "team-payments",
        "business_criticality": BusinessCriticality.HIGH,
        "external_exposure": ExternalExposure.CUSTOMER_FACING,
        "ai_enabled": False,
        "created_at": _NOW,
        "updated_at": _NOW,
    }
    return _build(Project, defaults, overrides)


def make_org_baseline(**overrides: Any) -> OrgBaseline:
    defaults = {
        "baseline_id": new_id("orgb"),
        "org_name": "Test Org",
        "defaults": BaselineDefaults(
            coding=CodingDefaults(
                secure_coding_standard_required=True,
                secret_hardcoding_forbidden=True,
                dependency_pinning_required=True,
            ),
            iam=IamDefaults(
                least_privilege_required=True, wildcard_permissions_forbidden_by_default=True
            ),
            network=NetworkDefaults(
                outbound_connectivity_must_be_declared=True, deny_by_default_preferred=True
            ),
            testing=TestingDefaults(
                unit_tests_required=True, security_tests_baseline_required=True
            ),
        ),
        "created_at": _NOW,
        "updated_at": _NOW,
    }
    return _build(OrgBaseline, defaults, overrides)


def make_environment_profile(
    *, environment: Environment = Environment.DEV, **overrides: Any
) -> EnvironmentProfile:
    """A profile for ``environment`` with stage, risk and autonomy that fit it."""
    stage, risk, autonomy = _PROFILE_DEFAULTS[environment]
    defaults = {
        "profile_id": new_id("envp"),
        "environment": environment,
        "delivery_stage": stage,
        "risk_level": risk,
        "autonomy_mode": autonomy,
        "allowed_capabilities": ["code_edit", "test_run"],
        "blocked_capabilities": ["prod_deploy", "secret_read"],
        "approval_level": ApprovalLevel.STANDARD,
    }
    return _build(EnvironmentProfile, defaults, overrides)


def make_app_spec(**overrides: Any) -> ApplicationSpec:
    defaults = {
        "application": Application(
            app_id="payments-api",
            owner_team="team-payments",
            business_criticality=BusinessCriticality.HIGH,
            external_exposure=ExternalExposure.CUSTOMER_FACING,
            ai_enabled=False,
        ),
        "architecture": Architecture(
            components=[Component(id="api", type="service"), Component(id="db", type="database")]
        ),
    }
    return _build(ApplicationSpec, defaults, overrides)


def make_compiled_package(
    *,
    project_id: str | None = None,
    environment: Environment = Environment.DEV,
    **overrides: Any,
) -> CompiledContextPackage:
    defaults = {
        "package_metadata": PackageMetadata(
            package_id=new_id("pkg"),
            compiled_from=CompiledFrom(
                org_baseline_id=new_id("orgb"),
                app_spec_id="payments-api",
                environment_profile_id=new_id("envp"),
            ),
            integrity=Integrity(
                signed=False, hash="0" * 64, hash_alg=HashAlg.SHA256, compiled_at=_NOW
            ),
        ),
        "project_identity": ProjectIdentity(
            project_id=project_id or new_id("proj"), environment=environment, ai_enabled=False
        ),
        "autonomy_policy": AutonomyPolicy(
            mode=AutonomyMode.SUPERVISED_AUTONOMOUS,
            allowed_actions=["code_edit", "test_run"],
            blocked_actions=["prod_deploy"],
        ),
        "security_requirements": SecurityRequirements(required_controls=["authz_checks"]),
    }
    return _build(CompiledContextPackage, defaults, overrides)


# -- findings and remediation --------------------------------------------------


def make_finding(*, project_id: str | None = None, **overrides: Any) -> Finding:
    """An open, high-severity SAST finding with a unique fingerprint."""
    finding_id = overrides.get("finding_id") or new_id("find")
    defaults = {
        "finding_id": finding_id,
        "source": FindingSource(
            tool_name="semgrep", tool_type=ToolType.SAST, trust_label=TrustLabel.TRUSTED_INTERNAL
        ),
        "project_id": project_id or new_id("proj"),
        "environment": Environment.DEV,
        "category": FindingCategory.SECURITY,
        "severity": RiskLevel.HIGH,
        "confidence": Confidence.HIGH,
        "title": "SQL injection in order lookup",
        "detected_at": _NOW,
        "rule_id": "python.lang.security.audit.sqli",
        "cwe_ids": ["CWE-89"],
        "locations": [Location(path="src/app/orders.py", start_line=42, end_line=44)],
        "fingerprint": f"fp-{finding_id}",
        "first_seen_at": _NOW,
        "last_seen_at": _NOW,
    }
    return _build(Finding, defaults, overrides)


def make_remediation_spec(*, project_id: str | None = None, **overrides: Any) -> RemediationSpec:
    defaults = {
        "remediation_spec_id": new_id("rs"),
        "project_id": project_id or new_id("proj"),
        "environment": Environment.DEV,
        "finding_refs": [new_id("find")],
        "risk_summary": RiskSummary(risk_level=RiskLevel.HIGH, confidence=Confidence.HIGH),
        "eligibility": Eligibility.AUTO_ALLOWED,
        "required_outcome": "Queries use bound parameters; no user input reaches SQL text.",
        "required_tests": ["tests/test_orders.py"],
        "evidence_required": ["diff_hash", "test_results"],
        "trace_id": DEFAULT_TRACE_ID,
        "generated_at": _NOW,
    }
    return _build(RemediationSpec, defaults, overrides)


def make_task_packet(*, project_id: str | None = None, **overrides: Any) -> TaskPacket:
    """An available remediation packet, expiring a day after :data:`DEFAULT_START`."""
    defaults = {
        "task_packet_id": new_id("tp"),
        "project_id": project_id or new_id("proj"),
        "environment": Environment.DEV,
        "task_type": TaskType.REMEDIATION,
        "task_summary": "Parameterise the order lookup query.",
        "allowed_actions": ["code_edit", "test_run"],
        "blocked_actions": ["prod_deploy", "secret_read"],
        "required_tests": ["tests/test_orders.py"],
        "evidence_required": ["diff_hash", "test_results"],
        "trace_id": DEFAULT_TRACE_ID,
        "generated_at": _NOW,
        "finding_refs": [new_id("find")],
        "allowed_paths": ["src/app/**", "tests/**"],
        "allowed_commands": ["pytest"],
        "expires_at": _NOW + timedelta(days=1),
    }
    return _build(TaskPacket, defaults, overrides)


# -- governance ----------------------------------------------------------------


def make_approval_request(*, project_id: str | None = None, **overrides: Any) -> ApprovalRequest:
    """A pending deployment-gate request, asked for by an agent."""
    defaults = {
        "approval_request_id": new_id("appr"),
        "project_id": project_id or new_id("proj"),
        "environment": Environment.PREPROD,
        "request_type": ApprovalRequestType.DEPLOYMENT_GATE,
        "trigger": "deployment_gate",
        "requested_by": new_id("sa"),
        "required_roles": ["reviewer"],
        "created_at": _NOW,
        "expires_at": _NOW + timedelta(days=2),
        "trace_id": DEFAULT_TRACE_ID,
    }
    return _build(ApprovalRequest, defaults, overrides)


def make_approval_decision(
    *, approval_request_id: str | None = None, **overrides: Any
) -> ApprovalDecision:
    """A reviewer's approval of ``approval_request_id``."""
    defaults = {
        "approval_request_id": approval_request_id or new_id("appr"),
        "decision": ApprovalDecisionValue.APPROVE,
        "decided_by": new_id("usr"),
        "decider_role": "reviewer",
        "reason": "Gate passed; residual risk accepted for preprod.",
        "decided_at": _NOW,
        "trace_id": DEFAULT_TRACE_ID,
    }
    return _build(ApprovalDecision, defaults, overrides)


def make_exception(*, project_id: str | None = None, **overrides: Any) -> ExceptionRecord:
    """A pending 30-day exception waiving one control in dev."""
    defaults = {
        "exception_id": new_id("exc"),
        "project_id": project_id or new_id("proj"),
        "scope": ExceptionScope(environment=Environment.DEV, controls=["authz_checks"]),
        "requested_by": new_id("usr"),
        "rationale": "Legacy endpoint is being replaced this quarter.",
        "compensating_controls": ["waf_rule_942100"],
        "start_at": _NOW,
        "expires_at": _NOW + timedelta(days=30),
        "trace_id": DEFAULT_TRACE_ID,
    }
    return _build(ExceptionRecord, defaults, overrides)


def make_promotion(*, project_id: str | None = None, **overrides: Any) -> Promotion:
    """A requested promotion from dev to pilot."""
    defaults = {
        "promotion_id": new_id("prom"),
        "project_id": project_id or new_id("proj"),
        "from_environment": Environment.DEV,
        "to_environment": Environment.PILOT,
        "requested_by": new_id("usr"),
        "created_at": _NOW,
        "updated_at": _NOW,
        "trace_id": DEFAULT_TRACE_ID,
    }
    return _build(Promotion, defaults, overrides)


# -- operations ----------------------------------------------------------------


def make_job(**overrides: Any) -> Job:
    """A queued compile job, bound to no project unless ``project_id`` is given."""
    defaults = {
        "job_id": new_id("job"),
        "job_type": JobType.COMPILE_CONTEXT,
        "created_at": _NOW,
        "updated_at": _NOW,
        "trace_id": DEFAULT_TRACE_ID,
    }
    return _build(Job, defaults, overrides)


def make_report(**overrides: Any) -> Report:
    """A ready JSON release-readiness report, bound to no project unless given one."""
    defaults = {
        "report_id": new_id("rpt"),
        "report_type": ReportType.RELEASE_READINESS,
        "status": ReportStatus.READY,
        "format": ReportFormat.JSON,
        "content": {"ready": True, "blocking_findings": 0},
        "trace_id": DEFAULT_TRACE_ID,
        "generated_at": _NOW,
    }
    return _build(Report, defaults, overrides)
