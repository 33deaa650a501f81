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
from pearl_core.domain.identity import Principal
from pearl_core.domain.project import Project
from pearl_core.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    PearlError,
    ValidationFailed,
)
from pearl_core.ports import UnitOfWork, UnitOfWorkFactory
from pearl_core.services.audit import list_audit_events, verify_audit_chain
from pearl_core.services.projects import NewProject, create_project, get_project, list_projects
from pearl_core.services.setup import (
    DefaultPolicies,
    SeedResult,
    read_default_policies,
    seed_defaults,
)
from pearl_core.services.status import OrgStatus, describe_org
from pearl_core.settings import LogSettings, Settings, StoreSettings
from pearl_core.trace import current_trace_id, trace_scope
from pearl_core.validation import parse, parse_json

__version__ = "0.1.0"

__all__ = [
    "AlreadyExists",
    "AuditEvent",
    "AuditOutcome",
    "ChainReport",
    "Clock",
    "Conflict",
    "DefaultPolicies",
    "Forbidden",
    "InvalidTransition",
    "LogSettings",
    "NewProject",
    "NotFound",
    "OrgStatus",
    "Pearl",
    "PearlError",
    "Permission",
    "Principal",
    "Project",
    "SeedResult",
    "Settings",
    "StoreSettings",
    "SystemClock",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "ValidationFailed",
    "__version__",
    "authorize",
    "bootstrap",
    "create_project",
    "current_trace_id",
    "describe_org",
    "get_project",
    "list_audit_events",
    "list_projects",
    "local_operator",
    "parse",
    "parse_json",
    "read_default_policies",
    "seed_defaults",
    "trace_scope",
    "verify_audit_chain",
]
