"""PeaRL core: the policy-enforced autonomous risk layer, as a library.

This module is PeaRL's public surface. Adding a name to ``__all__`` is a design
decision: entrypoints (``pearl_mcp``) and users import from here, never from
private module paths.
"""

from pearl_core.audit.chain import ChainReport
from pearl_core.auth import (
    AuthSettings,
    SigningKeyRing,
    TokenIssuer,
    TokenKind,
    TokenVerifier,
    TrustedIssuer,
    VerifiedToken,
    http_fetch,
    peek_issuer,
)
from pearl_core.authz import Permission, authorize
from pearl_core.bootstrap import Pearl, bootstrap, local_operator
from pearl_core.clock import Clock, SystemClock
from pearl_core.context import (
    ContextSigner,
    Ed25519Signer,
    KeyFileSigner,
    compile_context,
    key_id_of,
    load_public_key,
    public_key_pem,
    sign_package,
    verify_package,
)
from pearl_core.domain.audit import AuditEvent, AuditOutcome
from pearl_core.domain.common import ErrorResponse
from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentKind,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.decisions import DecisionRecord, InputMask
from pearl_core.domain.diff import Change
from pearl_core.domain.enums import (
    ApprovalStatus,
    Eligibility,
    Environment,
    FindingStatus,
    PrincipalKind,
    RiskLevel,
    Role,
    TaskPacketStatus,
    TaskType,
)
from pearl_core.domain.findings import Finding
from pearl_core.domain.governance import ApprovalDecision, ApprovalRequest, ExceptionRecord
from pearl_core.domain.identity import Org, Principal, ServiceAccount, Team, User
from pearl_core.domain.ingest import IngestRun, IngestSummary, QuarantinedRecord
from pearl_core.domain.jobs import Job
from pearl_core.domain.project import Project
from pearl_core.domain.remediation import OutcomeReport, RemediationSpec, TaskPacket
from pearl_core.domain.reports import Report, ReportRequest
from pearl_core.errors import (
    AlreadyExists,
    ApiKeyNotFound,
    ConfigurationError,
    Conflict,
    FindingNotFound,
    Forbidden,
    IdempotencyConflict,
    InsufficientScope,
    IntegrityViolation,
    InvalidTransition,
    LimitExceeded,
    MalformedReport,
    NotFound,
    PackageNotFound,
    PearlError,
    PolicyEngineUnavailable,
    PolicyError,
    PolicyEvaluationError,
    PolicyLoadError,
    ScannerFailed,
    ScannerUnavailable,
    SignatureInvalid,
    Unauthenticated,
    UnrecognizedFormat,
    ValidationFailed,
)
from pearl_core.guardrails import AgentAction
from pearl_core.ingest.pipeline import IngestLimits
from pearl_core.ingest.registry import FORMAT_NAMES as INGEST_FORMATS
from pearl_core.policy import (
    Decision,
    OpaEngine,
    PolicyBundle,
    PolicyCheck,
    PolicyEngine,
    PolicyProcessPool,
    Reason,
    RegorusEngine,
    RegoTestReport,
    check_policies,
    default_rego_dir,
    load_bundle,
    run_rego_tests,
)
from pearl_core.ports import UnitOfWork, UnitOfWorkFactory
from pearl_core.scanners import SemgrepRun, find_semgrep, run_semgrep
from pearl_core.services.accounts import (
    add_team_member,
    authenticate_password,
    bootstrap_admin,
    create_team,
    create_user,
    disable_user,
    enable_user,
    list_teams,
    list_users,
    remove_team_member,
    set_password,
    set_user_roles,
)
from pearl_core.services.approvals import (
    ApprovalView,
    decide_approval,
    get_approval,
    list_approvals,
    request_approval,
)
from pearl_core.services.audit import list_audit_events, record_denied, verify_audit_chain
from pearl_core.services.authentication import Authenticator
from pearl_core.services.context import (
    PackageStatus,
    compile_project_context,
    get_package,
    latest_package,
    package_status,
)
from pearl_core.services.context_documents import (
    put_app_spec,
    put_environment_profile,
    put_org_baseline,
)
from pearl_core.services.credentials import (
    create_api_key,
    create_service_account,
    find_service_account,
    list_api_keys,
    list_service_accounts,
    resolve_api_key,
    revoke_api_key,
)
from pearl_core.services.decision_buffer import DecisionBuffer
from pearl_core.services.decisions import ReplayedDecision, ReplayReport, decision_record
from pearl_core.services.decisions import evaluate as evaluate_policy
from pearl_core.services.decisions import replay as replay_decisions
from pearl_core.services.exceptions import ExceptionRequest, list_exceptions, request_exception
from pearl_core.services.findings import change_finding_status, get_finding, list_findings
from pearl_core.services.gate import GateStatus, gate_status
from pearl_core.services.guard import GuardResult, check_action
from pearl_core.services.guard_fast import GuardFastPath
from pearl_core.services.ingest import IngestRequest, ingest_report
from pearl_core.services.jobs import compile_context_job, get_job
from pearl_core.services.outcomes import report_outcome
from pearl_core.services.packets import (
    claim_task_packet,
    expire_task_packets,
    get_task_packet,
    heartbeat_task_packet,
    list_task_packets,
    next_task_packet,
    release_task_packet,
)
from pearl_core.services.policy_versions import DOCUMENT_KINDS, policy_diff, policy_history
from pearl_core.services.projects import (
    NewProject,
    create_project,
    get_project,
    list_projects,
    update_project,
)
from pearl_core.services.remediation import Generated, generate_remediation_specs
from pearl_core.services.reports import generate_report, get_report
from pearl_core.services.sessions import (
    SessionTokens,
    principal_from_access_token,
    refresh_session,
    revoke_session,
    start_session,
)
from pearl_core.services.setup import (
    DefaultPolicies,
    SeedResult,
    read_default_policies,
    seed_defaults,
)
from pearl_core.services.status import OrgStatus, describe_org
from pearl_core.services.task_generation import TaskRequest, generate_task_packet
from pearl_core.settings import (
    DecisionLogSettings,
    IngestSettings,
    LogSettings,
    Settings,
    SigningSettings,
    StoreSettings,
    WorkSettings,
)
from pearl_core.trace import current_trace_id, new_trace_id, trace_scope
from pearl_core.validation import parse, parse_json

__version__ = "0.1.0"

__all__ = [
    "DOCUMENT_KINDS",
    "INGEST_FORMATS",
    "AgentAction",
    "AlreadyExists",
    "ApiKey",
    "ApiKeyNotFound",
    "ApplicationSpec",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalStatus",
    "ApprovalView",
    "AuditEvent",
    "AuditOutcome",
    "AuthSettings",
    "Authenticator",
    "ChainReport",
    "Change",
    "Clock",
    "CompiledContextPackage",
    "ConfigurationError",
    "Conflict",
    "ContextSigner",
    "Decision",
    "DecisionBuffer",
    "DecisionLogSettings",
    "DecisionRecord",
    "DefaultPolicies",
    "DocumentKind",
    "DocumentVersion",
    "Ed25519Signer",
    "Eligibility",
    "Environment",
    "EnvironmentProfile",
    "ErrorResponse",
    "ExceptionRecord",
    "ExceptionRequest",
    "Finding",
    "FindingNotFound",
    "FindingStatus",
    "Forbidden",
    "GateStatus",
    "Generated",
    "GuardFastPath",
    "GuardResult",
    "IdempotencyConflict",
    "IngestLimits",
    "IngestRequest",
    "IngestRun",
    "IngestSettings",
    "IngestSummary",
    "InputMask",
    "InsufficientScope",
    "IntegrityViolation",
    "InvalidTransition",
    "Job",
    "KeyFileSigner",
    "LimitExceeded",
    "LogSettings",
    "MalformedReport",
    "NewProject",
    "NotFound",
    "OpaEngine",
    "Org",
    "OrgBaseline",
    "OrgStatus",
    "OutcomeReport",
    "PackageNotFound",
    "PackageStatus",
    "Pearl",
    "PearlError",
    "Permission",
    "PolicyBundle",
    "PolicyCheck",
    "PolicyEngine",
    "PolicyEngineUnavailable",
    "PolicyError",
    "PolicyEvaluationError",
    "PolicyLoadError",
    "PolicyProcessPool",
    "Principal",
    "PrincipalKind",
    "Project",
    "QuarantinedRecord",
    "Reason",
    "RegoTestReport",
    "RegorusEngine",
    "RemediationSpec",
    "ReplayReport",
    "ReplayedDecision",
    "Report",
    "ReportRequest",
    "RiskLevel",
    "Role",
    "ScannerFailed",
    "ScannerUnavailable",
    "SeedResult",
    "SemgrepRun",
    "ServiceAccount",
    "SessionTokens",
    "Settings",
    "SignatureInvalid",
    "SigningKeyRing",
    "SigningSettings",
    "StoreSettings",
    "SystemClock",
    "TaskPacket",
    "TaskPacketStatus",
    "TaskRequest",
    "TaskType",
    "Team",
    "TokenIssuer",
    "TokenKind",
    "TokenVerifier",
    "TrustedIssuer",
    "Unauthenticated",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UnrecognizedFormat",
    "User",
    "ValidationFailed",
    "VerifiedToken",
    "WorkSettings",
    "__version__",
    "add_team_member",
    "authenticate_password",
    "authorize",
    "bootstrap",
    "bootstrap_admin",
    "change_finding_status",
    "check_action",
    "check_policies",
    "claim_task_packet",
    "compile_context",
    "compile_context_job",
    "compile_project_context",
    "create_api_key",
    "create_project",
    "create_service_account",
    "create_team",
    "create_user",
    "current_trace_id",
    "decide_approval",
    "decision_record",
    "default_rego_dir",
    "describe_org",
    "disable_user",
    "enable_user",
    "evaluate_policy",
    "expire_task_packets",
    "find_semgrep",
    "find_service_account",
    "gate_status",
    "generate_remediation_specs",
    "generate_report",
    "generate_task_packet",
    "get_approval",
    "get_finding",
    "get_job",
    "get_package",
    "get_project",
    "get_report",
    "get_task_packet",
    "heartbeat_task_packet",
    "http_fetch",
    "ingest_report",
    "key_id_of",
    "latest_package",
    "list_api_keys",
    "list_approvals",
    "list_audit_events",
    "list_exceptions",
    "list_findings",
    "list_projects",
    "list_service_accounts",
    "list_task_packets",
    "list_teams",
    "list_users",
    "load_bundle",
    "load_public_key",
    "local_operator",
    "new_trace_id",
    "next_task_packet",
    "package_status",
    "parse",
    "parse_json",
    "peek_issuer",
    "policy_diff",
    "policy_history",
    "principal_from_access_token",
    "public_key_pem",
    "put_app_spec",
    "put_environment_profile",
    "put_org_baseline",
    "read_default_policies",
    "record_denied",
    "refresh_session",
    "release_task_packet",
    "remove_team_member",
    "replay_decisions",
    "report_outcome",
    "request_approval",
    "request_exception",
    "resolve_api_key",
    "revoke_api_key",
    "revoke_session",
    "run_rego_tests",
    "run_semgrep",
    "seed_defaults",
    "set_password",
    "set_user_roles",
    "sign_package",
    "start_session",
    "trace_scope",
    "update_project",
    "verify_audit_chain",
    "verify_package",
]
