"""PeaRL's vocabulary: the enums of the v1.1 contract plus PeaRL's own statuses.

Values are the wire strings; every enum is a ``StrEnum`` so members compare
equal to their values and serialise as plain strings.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ApprovalDecisionValue",
    "ApprovalLevel",
    "ApprovalRequestType",
    "ApprovalStatus",
    "AutonomyMode",
    "BusinessCriticality",
    "Confidence",
    "DataSensitivity",
    "DeliveryStage",
    "Eligibility",
    "Environment",
    "ExceptionStatus",
    "Exploitability",
    "ExternalExposure",
    "FindingCategory",
    "FindingStatus",
    "HashAlg",
    "JobStatus",
    "JobType",
    "PrincipalKind",
    "PromotionStatus",
    "ReferenceKind",
    "ReportFormat",
    "ReportStatus",
    "ReportType",
    "RiskLevel",
    "Role",
    "TaskPacketStatus",
    "TaskType",
    "ToolType",
    "TrustLabel",
]


class Environment(StrEnum):
    SANDBOX = "sandbox"
    DEV = "dev"
    PILOT = "pilot"
    PREPROD = "preprod"
    PROD = "prod"


class DeliveryStage(StrEnum):
    BOOTSTRAP = "bootstrap"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    HARDENING = "hardening"
    PREPROD = "preprod"
    PROD = "prod"


class RiskLevel(StrEnum):
    """Severity and risk on the PeaRL scale."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]


_RISK_RANK = {RiskLevel.LOW: 1, RiskLevel.MODERATE: 2, RiskLevel.HIGH: 3, RiskLevel.CRITICAL: 4}


class AutonomyMode(StrEnum):
    ASSISTIVE = "assistive"
    SUPERVISED_AUTONOMOUS = "supervised_autonomous"
    DELEGATED_AUTONOMOUS = "delegated_autonomous"
    READ_ONLY = "read_only"


class TrustLabel(StrEnum):
    TRUSTED_INTERNAL = "trusted_internal"
    TRUSTED_EXTERNAL_REGISTERED = "trusted_external_registered"
    UNTRUSTED_EXTERNAL = "untrusted_external"
    MANUAL_UNVERIFIED = "manual_unverified"


class BusinessCriticality(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    MISSION_CRITICAL = "mission_critical"


class ExternalExposure(StrEnum):
    INTERNAL_ONLY = "internal_only"
    PARTNER = "partner"
    CUSTOMER_FACING = "customer_facing"
    PUBLIC = "public"


class DataSensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class ApprovalLevel(StrEnum):
    MINIMAL = "minimal"
    STANDARD = "standard"
    ELEVATED = "elevated"
    HIGH = "high"
    STRICT = "strict"


class HashAlg(StrEnum):
    SHA256 = "sha256"
    SHA512 = "sha512"


class ReferenceKind(StrEnum):
    API = "api"
    SCHEMA = "schema"
    ARTIFACT = "artifact"
    FINDING = "finding"
    APPROVAL = "approval"
    EXCEPTION = "exception"
    REPORT = "report"
    DOC = "doc"


class ToolType(StrEnum):
    """The kind of scanner. The contract's values plus secrets, iac and container."""

    SAST = "sast"
    DAST = "dast"
    SCA = "sca"
    SECRETS = "secrets"
    IAC = "iac"
    CONTAINER = "container"
    CSPM = "cspm"
    CNAPP = "cnapp"
    CIEM = "ciem"
    API_SECURITY = "api_security"
    RUNTIME = "runtime"
    GOVERNANCE = "governance"
    THREAT_MODEL = "threat_model"
    RAI_MONITOR = "rai_monitor"
    MANUAL = "manual"


class FindingCategory(StrEnum):
    SECURITY = "security"
    RESPONSIBLE_AI = "responsible_ai"
    GOVERNANCE = "governance"
    ARCHITECTURE_DRIFT = "architecture_drift"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Exploitability(StrEnum):
    UNKNOWN = "unknown"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FindingStatus(StrEnum):
    """A finding's life (PeaRL extension; the contract has no status)."""

    OPEN = "open"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    FIX_SUBMITTED = "fix_submitted"
    FIXED_VERIFIED = "fixed_verified"
    REOPENED = "reopened"
    ACCEPTED_RISK = "accepted_risk"
    FALSE_POSITIVE = "false_positive"
    NOT_AFFECTED = "not_affected"
    SUPPRESSED = "suppressed"


class Eligibility(StrEnum):
    AUTO_ALLOWED = "auto_allowed"
    AUTO_ALLOWED_WITH_APPROVAL = "auto_allowed_with_approval"
    HUMAN_REQUIRED = "human_required"
    NOT_AUTONOMOUS = "not_autonomous"


class TaskType(StrEnum):
    FEATURE = "feature"
    FIX = "fix"
    REMEDIATION = "remediation"
    REFACTOR = "refactor"
    CONFIG = "config"
    POLICY = "policy"


class TaskPacketStatus(StrEnum):
    """A packet's life (PeaRL extension): leased to one agent at a time."""

    AVAILABLE = "available"
    CLAIMED = "claimed"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class ApprovalRequestType(StrEnum):
    DEPLOYMENT_GATE = "deployment_gate"
    AUTH_FLOW_CHANGE = "auth_flow_change"
    NETWORK_POLICY_CHANGE = "network_policy_change"
    EXCEPTION = "exception"
    REMEDIATION_EXECUTION = "remediation_execution"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class ApprovalDecisionValue(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ExceptionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REJECTED = "rejected"


class PromotionStatus(StrEnum):
    """A promotion of a project from one environment to the next."""

    REQUESTED = "requested"
    GATE_PASSED = "gate_passed"
    GATE_FAILED = "gate_failed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PROMOTED = "promoted"
    ROLLED_BACK = "rolled_back"


class JobType(StrEnum):
    COMPILE_CONTEXT = "compile_context"
    PLANNING_BUNDLE = "planning_bundle"
    NORMALIZE_FINDINGS = "normalize_findings"
    GENERATE_REMEDIATION_SPEC = "generate_remediation_spec"
    REPORT = "report"
    SCAN = "scan"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIAL = "partial"
    DEAD_LETTER = "dead_letter"


class ReportType(StrEnum):
    RELEASE_READINESS = "release_readiness"
    RESIDUAL_RISK = "residual_risk"
    CONTROL_COVERAGE = "control_coverage"
    FINDINGS_TREND = "findings_trend"
    RAI_POSTURE = "rai_posture"
    ENVIRONMENT_POSTURE = "environment_posture"


class ReportFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"


class ReportStatus(StrEnum):
    READY = "ready"
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"


class Role(StrEnum):
    """What a principal may do. Service accounts never hold reviewer or admin."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    SERVICE_ACCOUNT = "service_account"


class PrincipalKind(StrEnum):
    HUMAN = "human"
    SERVICE_ACCOUNT = "service_account"
    SYSTEM = "system"
