"""PeaRL core: the policy-enforced autonomous risk layer, as a library.

This module is PeaRL's public surface. Adding a name to ``__all__`` is a design
decision: entrypoints (``pearl_mcp``) and users import from here, never from
private module paths.
"""

from pearl_core.audit.chain import ChainReport
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
from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentKind,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.decisions import DecisionRecord, InputMask
from pearl_core.domain.diff import Change
from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.domain.identity import Principal
from pearl_core.domain.ingest import IngestRun, IngestSummary, QuarantinedRecord
from pearl_core.domain.project import Project
from pearl_core.errors import (
    AlreadyExists,
    Conflict,
    FindingNotFound,
    Forbidden,
    IdempotencyConflict,
    IntegrityViolation,
    InvalidTransition,
    LimitExceeded,
    MalformedReport,
    NotFound,
    PearlError,
    PolicyEngineUnavailable,
    PolicyError,
    PolicyEvaluationError,
    PolicyLoadError,
    SignatureInvalid,
    UnrecognizedFormat,
    ValidationFailed,
)
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
from pearl_core.services.audit import list_audit_events, verify_audit_chain
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
from pearl_core.services.decisions import ReplayedDecision, ReplayReport, decision_record
from pearl_core.services.decisions import evaluate as evaluate_policy
from pearl_core.services.decisions import replay as replay_decisions
from pearl_core.services.findings import change_finding_status, get_finding, list_findings
from pearl_core.services.ingest import IngestRequest, ingest_report
from pearl_core.services.policy_versions import DOCUMENT_KINDS, policy_diff, policy_history
from pearl_core.services.projects import NewProject, create_project, get_project, list_projects
from pearl_core.services.setup import (
    DefaultPolicies,
    SeedResult,
    read_default_policies,
    seed_defaults,
)
from pearl_core.services.status import OrgStatus, describe_org
from pearl_core.settings import (
    DecisionLogSettings,
    IngestSettings,
    LogSettings,
    Settings,
    SigningSettings,
    StoreSettings,
)
from pearl_core.trace import current_trace_id, trace_scope
from pearl_core.validation import parse, parse_json

__version__ = "0.1.0"

__all__ = [
    "DOCUMENT_KINDS",
    "INGEST_FORMATS",
    "AlreadyExists",
    "ApplicationSpec",
    "AuditEvent",
    "AuditOutcome",
    "ChainReport",
    "Change",
    "Clock",
    "CompiledContextPackage",
    "Conflict",
    "ContextSigner",
    "Decision",
    "DecisionLogSettings",
    "DecisionRecord",
    "DefaultPolicies",
    "DocumentKind",
    "DocumentVersion",
    "Ed25519Signer",
    "Environment",
    "EnvironmentProfile",
    "Finding",
    "FindingNotFound",
    "FindingStatus",
    "Forbidden",
    "IdempotencyConflict",
    "IngestLimits",
    "IngestRequest",
    "IngestRun",
    "IngestSettings",
    "IngestSummary",
    "InputMask",
    "IntegrityViolation",
    "InvalidTransition",
    "KeyFileSigner",
    "LimitExceeded",
    "LogSettings",
    "MalformedReport",
    "NewProject",
    "NotFound",
    "OpaEngine",
    "OrgBaseline",
    "OrgStatus",
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
    "Project",
    "QuarantinedRecord",
    "Reason",
    "RegoTestReport",
    "RegorusEngine",
    "ReplayReport",
    "ReplayedDecision",
    "RiskLevel",
    "SeedResult",
    "Settings",
    "SignatureInvalid",
    "SigningSettings",
    "StoreSettings",
    "SystemClock",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UnrecognizedFormat",
    "ValidationFailed",
    "__version__",
    "authorize",
    "bootstrap",
    "change_finding_status",
    "check_policies",
    "compile_context",
    "compile_project_context",
    "create_project",
    "current_trace_id",
    "decision_record",
    "default_rego_dir",
    "describe_org",
    "evaluate_policy",
    "get_finding",
    "get_package",
    "get_project",
    "ingest_report",
    "key_id_of",
    "latest_package",
    "list_audit_events",
    "list_findings",
    "list_projects",
    "load_bundle",
    "load_public_key",
    "local_operator",
    "package_status",
    "parse",
    "parse_json",
    "policy_diff",
    "policy_history",
    "public_key_pem",
    "put_app_spec",
    "put_environment_profile",
    "put_org_baseline",
    "read_default_policies",
    "replay_decisions",
    "run_rego_tests",
    "seed_defaults",
    "sign_package",
    "trace_scope",
    "verify_audit_chain",
    "verify_package",
]
