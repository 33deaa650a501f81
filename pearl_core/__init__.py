"""PeaRL core: the policy-enforced autonomous risk layer, as a library.

This module is PeaRL's public surface. Adding a name to ``__all__`` is a design
decision: entrypoints (``pearl_mcp``) and users import from here, never from
private module paths.
"""

from pearl_core.audit.chain import ChainReport
from pearl_core.authz import Permission, authorize
from pearl_core.bootstrap import Pearl, bootstrap, local_operator
from pearl_core.clock import Clock, SystemClock
from pearl_core.domain.audit import AuditEvent, AuditOutcome
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
    InvalidTransition,
    LimitExceeded,
    MalformedReport,
    NotFound,
    PearlError,
    UnrecognizedFormat,
    ValidationFailed,
)
from pearl_core.ingest.pipeline import IngestLimits
from pearl_core.ingest.registry import FORMAT_NAMES as INGEST_FORMATS
from pearl_core.ports import UnitOfWork, UnitOfWorkFactory
from pearl_core.services.audit import list_audit_events, verify_audit_chain
from pearl_core.services.findings import change_finding_status, get_finding, list_findings
from pearl_core.services.ingest import IngestRequest, ingest_report
from pearl_core.services.projects import NewProject, create_project, get_project, list_projects
from pearl_core.services.setup import (
    DefaultPolicies,
    SeedResult,
    read_default_policies,
    seed_defaults,
)
from pearl_core.services.status import OrgStatus, describe_org
from pearl_core.settings import IngestSettings, LogSettings, Settings, StoreSettings
from pearl_core.trace import current_trace_id, trace_scope
from pearl_core.validation import parse, parse_json

__version__ = "0.1.0"

__all__ = [
    "INGEST_FORMATS",
    "AlreadyExists",
    "AuditEvent",
    "AuditOutcome",
    "ChainReport",
    "Clock",
    "Conflict",
    "DefaultPolicies",
    "Environment",
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
    "InvalidTransition",
    "LimitExceeded",
    "LogSettings",
    "MalformedReport",
    "NewProject",
    "NotFound",
    "OrgStatus",
    "Pearl",
    "PearlError",
    "Permission",
    "Principal",
    "Project",
    "QuarantinedRecord",
    "RiskLevel",
    "SeedResult",
    "Settings",
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
    "create_project",
    "current_trace_id",
    "default_rego_dir",
    "describe_org",
    "get_finding",
    "get_project",
    "ingest_report",
    "list_audit_events",
    "list_findings",
    "list_projects",
    "local_operator",
    "parse",
    "parse_json",
    "read_default_policies",
    "run_rego_tests",
    "seed_defaults",
    "trace_scope",
    "verify_audit_chain",
]
