"""Small, valid domain objects for store tests: ``builder(n, **overrides)``."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pearl_core import domain as d
from pearl_core.domain import enums as e
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore

T = TypeVar("T")

NOW = datetime(2025, 1, 15, 9, 0, 0, 123456, tzinfo=UTC)
TRACE = "trc_0123456789abcdef"


def org(org_id: str) -> d.Org:
    return d.Org(org_id=org_id, name=f"Org {org_id}", created_at=NOW)


def team(org_id: str, n: int = 1) -> d.Team:
    return d.Team(team_id=f"team_{n}", org_id=org_id, name=f"Team {n}", created_at=NOW)


def user(org_id: str, n: int = 1, **overrides: Any) -> d.User:
    fields: dict[str, Any] = {
        "user_id": f"usr_{n}",
        "org_id": org_id,
        "email": f"user{n}@example.com",
        "display_name": f"User {n}",
        "created_at": NOW,
    }
    return d.User(**(fields | overrides))


def service_account(org_id: str, n: int = 1, **overrides: Any) -> d.ServiceAccount:
    fields: dict[str, Any] = {
        "service_account_id": f"sa_{n}",
        "org_id": org_id,
        "name": f"agent-{n}",
        "created_at": NOW,
    }
    return d.ServiceAccount(**(fields | overrides))


def project(n: int = 1, **overrides: Any) -> d.Project:
    fields: dict[str, Any] = {
        "project_id": f"proj_{n}",
        "name": f"Project {n}",
        "owner_team": "team-a",
        "business_criticality": e.BusinessCriticality.HIGH,
        "external_exposure": e.ExternalExposure.PUBLIC,
        "ai_enabled": False,
        "created_at": NOW,
    }
    return d.Project(**(fields | overrides))


def baseline(n: int = 1, *, least_privilege: bool = True) -> d.OrgBaseline:
    return d.OrgBaseline(
        baseline_id=f"orgb_{n}",
        org_name="Example",
        defaults=d.BaselineDefaults(
            coding=d.CodingDefaults(secret_hardcoding_forbidden=True),
            iam=d.IamDefaults(least_privilege_required=least_privilege),
            network=d.NetworkDefaults(deny_by_default_preferred=True),
            testing=d.TestingDefaults(unit_tests_required=True),
        ),
    )


def profile(
    environment: e.Environment = e.Environment.DEV,
    n: int = 1,
    *,
    autonomy: e.AutonomyMode = e.AutonomyMode.SUPERVISED_AUTONOMOUS,
) -> d.EnvironmentProfile:
    return d.EnvironmentProfile(
        profile_id=f"envp_{environment.value}_{n}",
        environment=environment,
        delivery_stage=e.DeliveryStage.PROTOTYPE,
        risk_level=e.RiskLevel.MODERATE,
        autonomy_mode=autonomy,
        allowed_capabilities=["code_edit"],
    )


def app_spec(app_id: str = "demo-app", *, ai_enabled: bool = False) -> d.ApplicationSpec:
    return d.ApplicationSpec(
        application=d.Application(
            app_id=app_id,
            owner_team="team-a",
            business_criticality=e.BusinessCriticality.HIGH,
            external_exposure=e.ExternalExposure.PUBLIC,
            ai_enabled=ai_enabled,
        ),
        architecture=d.Architecture(components=[d.Component(id="api", type="service")]),
    )


def package(
    project_id: str, n: int = 1, environment: e.Environment = e.Environment.DEV
) -> d.CompiledContextPackage:
    return d.CompiledContextPackage(
        package_metadata=d.PackageMetadata(
            package_id=f"pkg_{n}",
            compiled_from=d.CompiledFrom(
                org_baseline_id="orgb_1", app_spec_id="demo-app", environment_profile_id="envp_1"
            ),
            integrity=d.Integrity(signed=False),
        ),
        project_identity=d.ProjectIdentity(
            project_id=project_id, environment=environment, ai_enabled=False
        ),
        autonomy_policy=d.AutonomyPolicy(
            mode=e.AutonomyMode.SUPERVISED_AUTONOMOUS,
            allowed_actions=["code_edit"],
            blocked_actions=["prod_deploy"],
        ),
        security_requirements=d.SecurityRequirements(required_controls=["authz_checks"]),
    )


def finding(project_id: str, n: int = 1, **overrides: Any) -> d.Finding:
    fields: dict[str, Any] = {
        "finding_id": f"find_{n}",
        "source": d.FindingSource(
            tool_name="semgrep",
            tool_type=e.ToolType.SAST,
            trust_label=e.TrustLabel.TRUSTED_INTERNAL,
        ),
        "project_id": project_id,
        "environment": e.Environment.DEV,
        "category": e.FindingCategory.SECURITY,
        "severity": e.RiskLevel.HIGH,
        "title": f"Finding {n}",
        "detected_at": NOW,
        "fingerprint": f"fp_{n}",
    }
    return d.Finding(**(fields | overrides))


def remediation_spec(project_id: str, n: int = 1) -> d.RemediationSpec:
    return d.RemediationSpec(
        remediation_spec_id=f"rs_{n}",
        project_id=project_id,
        environment=e.Environment.DEV,
        finding_refs=["find_1"],
        risk_summary=d.RiskSummary(risk_level=e.RiskLevel.HIGH, confidence=e.Confidence.HIGH),
        eligibility=e.Eligibility.AUTO_ALLOWED,
        required_outcome="No SQL injection",
        trace_id=TRACE,
        generated_at=NOW,
    )


def task_packet(project_id: str, n: int = 1, **overrides: Any) -> d.TaskPacket:
    fields: dict[str, Any] = {
        "task_packet_id": f"tp_{n}",
        "project_id": project_id,
        "environment": e.Environment.DEV,
        "task_type": e.TaskType.REMEDIATION,
        "task_summary": "Parameterise the query",
        "allowed_actions": ["code_edit"],
        "blocked_actions": ["prod_deploy"],
        "trace_id": TRACE,
        "generated_at": NOW,
        "expires_at": NOW + timedelta(hours=4),
    }
    return d.TaskPacket(**(fields | overrides))


def approval_request(project_id: str, n: int = 1, **overrides: Any) -> d.ApprovalRequest:
    fields: dict[str, Any] = {
        "approval_request_id": f"appr_{n}",
        "project_id": project_id,
        "environment": e.Environment.PROD,
        "request_type": e.ApprovalRequestType.DEPLOYMENT_GATE,
        "trigger": "promotion",
        "requested_by": "sa_agent",
        "created_at": NOW,
        "trace_id": TRACE,
    }
    return d.ApprovalRequest(**(fields | overrides))


def approval_decision(approval_request_id: str, decided_by: str = "usr_1") -> d.ApprovalDecision:
    return d.ApprovalDecision(
        approval_request_id=approval_request_id,
        decision=e.ApprovalDecisionValue.APPROVE,
        decided_by=decided_by,
        decider_role="reviewer",
        reason="looks fine",
        decided_at=NOW,
        trace_id=TRACE,
    )


def exception_record(project_id: str, n: int = 1, **overrides: Any) -> d.ExceptionRecord:
    fields: dict[str, Any] = {
        "exception_id": f"exc_{n}",
        "project_id": project_id,
        "requested_by": "usr_1",
        "rationale": "vendor fix pending",
        "trace_id": TRACE,
        "expires_at": NOW + timedelta(days=30),
    }
    return d.ExceptionRecord(**(fields | overrides))


def promotion(project_id: str, n: int = 1, **overrides: Any) -> d.Promotion:
    fields: dict[str, Any] = {
        "promotion_id": f"prom_{n}",
        "project_id": project_id,
        "from_environment": e.Environment.PREPROD,
        "to_environment": e.Environment.PROD,
        "requested_by": "usr_1",
        "created_at": NOW,
        "updated_at": NOW,
        "trace_id": TRACE,
    }
    return d.Promotion(**(fields | overrides))


def job(n: int = 1, **overrides: Any) -> d.Job:
    fields: dict[str, Any] = {
        "job_id": f"job_{n}",
        "job_type": e.JobType.COMPILE_CONTEXT,
        "created_at": NOW,
        "updated_at": NOW,
        "trace_id": TRACE,
    }
    return d.Job(**(fields | overrides))


def report(n: int = 1, **overrides: Any) -> d.Report:
    fields: dict[str, Any] = {
        "report_id": f"rpt_{n}",
        "report_type": e.ReportType.RELEASE_READINESS,
        "status": e.ReportStatus.READY,
        "format": e.ReportFormat.MARKDOWN,
        "content": "# Ready",
        "trace_id": TRACE,
        "generated_at": NOW,
    }
    return d.Report(**(fields | overrides))


def principal(org_id: str = "org_a", subject_id: str = "usr_operator") -> d.Principal:
    return d.Principal(
        org_id=org_id,
        subject_id=subject_id,
        kind=e.PrincipalKind.HUMAN,
        roles=frozenset({e.Role.OPERATOR}),
    )


async def committed(
    store: SqlStore, who: d.Principal, work: Callable[[UnitOfWork], Awaitable[T]]
) -> T:
    """Run ``work`` in a unit of work as ``who``, audit it, and commit."""
    async with store.unit_of_work(who) as uow:
        result = await work(uow)
        await uow.audit.record("test.changed", resource_type="test", resource_id="test")
        await uow.commit()
    return result


async def read(store: SqlStore, who: d.Principal, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run ``work`` in a unit of work as ``who`` and roll back."""
    async with store.unit_of_work(who) as uow:
        return await work(uow)


@contextmanager
def other_sqlite_connection(database_url: str) -> Iterator[sqlite3.Connection]:
    """A plain ``sqlite3`` connection to the store's file, as another process
    opens it: no busy wait (``timeout=0``), transactions begun by hand."""
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()
