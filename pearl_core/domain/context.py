"""Context documents: org baseline, environment profile, and their versions.

Three documents describe what is expected of a project: the org's
:class:`OrgBaseline`, the team's :class:`ApplicationSpec` and one
:class:`EnvironmentProfile` per environment. The compiler merges them into a
:class:`CompiledContextPackage`. Each stored change to a document becomes a
new immutable :class:`DocumentVersion`, so a decision can always name the
exact inputs it was made under.

The application spec and the compiled package live in their own modules
(they are large) and are re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from pearl_core.domain.app_spec import ApplicationSpec
from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, PearlRecord, UtcDatetime
from pearl_core.domain.common import Integrity, ProjectId, SchemaVersion, ShortText
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.enums import (
    ApprovalLevel,
    AutonomyMode,
    DeliveryStage,
    Environment,
    RiskLevel,
)

__all__ = [
    "ApplicationSpec",
    "BaselineDefaults",
    "CodingDefaults",
    "CompiledContextPackage",
    "DocumentKind",
    "DocumentVersion",
    "EnvironmentProfile",
    "IamDefaults",
    "LoggingDefaults",
    "NetworkDefaults",
    "OrgBaseline",
    "ResponsibleAiDefaults",
    "TestingDefaults",
]

DocumentKind = Literal["org_baseline", "app_spec", "environment_profile"]


class CodingDefaults(PearlModel):
    secure_coding_standard_required: bool | None = None
    secret_hardcoding_forbidden: bool | None = None
    dependency_pinning_required: bool | None = None


class LoggingDefaults(PearlModel):
    structured_logging_required: bool | None = None
    pii_in_logs_forbidden_by_default: bool | None = None
    security_events_minimum: list[ShortText] = Field(default_factory=list)


class IamDefaults(PearlModel):
    least_privilege_required: bool | None = None
    wildcard_permissions_forbidden_by_default: bool | None = None


class NetworkDefaults(PearlModel):
    outbound_connectivity_must_be_declared: bool | None = None
    deny_by_default_preferred: bool | None = None


class ResponsibleAiDefaults(PearlModel):
    ai_use_disclosure_required_for_user_facing: bool | None = None
    model_provenance_logging_required: bool | None = None
    human_oversight_required_for_high_impact_actions: bool | None = None
    fairness_review_required_when_user_impact_is_material: bool | None = None


class TestingDefaults(PearlModel):
    unit_tests_required: bool | None = None
    security_tests_baseline_required: bool | None = None
    rai_evals_required_for_ai_enabled_apps: bool | None = None


class BaselineDefaults(PearlModel):
    """Org-wide rules. ``None`` means "the baseline says nothing", not "false"."""

    coding: CodingDefaults
    logging: LoggingDefaults | None = None
    iam: IamDefaults
    network: NetworkDefaults
    responsible_ai: ResponsibleAiDefaults | None = None
    testing: TestingDefaults


class OrgBaseline(PearlModel):
    """The org's floor: every project inherits it and can only tighten it."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    kind: Literal["PearlOrgBaseline"] = "PearlOrgBaseline"
    baseline_id: Annotated[
        str, Field(min_length=3, max_length=128, pattern=r"^orgb_[A-Za-z0-9_-]+$")
    ]
    org_name: Annotated[str, Field(min_length=1, max_length=200)]
    defaults: BaselineDefaults
    environment_defaults: dict[Environment, dict[str, Any]] = Field(default_factory=dict)
    """Free-form per-environment defaults (the contract leaves their shape open)."""
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    integrity: Integrity | None = None


class EnvironmentProfile(PearlModel):
    """What autonomy and which capabilities an environment allows (no extensions yet)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    profile_id: Annotated[
        str, Field(min_length=3, max_length=128, pattern=r"^envp_[A-Za-z0-9_-]+$")
    ]
    environment: Environment
    delivery_stage: DeliveryStage
    risk_level: RiskLevel
    autonomy_mode: AutonomyMode
    allowed_capabilities: list[ShortText] = Field(default_factory=list)
    blocked_capabilities: list[ShortText] = Field(default_factory=list)
    approval_level: ApprovalLevel | None = None
    integrity: Integrity | None = None


class DocumentVersion(PearlRecord):
    """One stored version of a context document (PeaRL's own record).

    ``content_hash`` is the SHA-256 of the document's canonical JSON; storing
    identical content again returns the existing version instead of a new one.
    """

    kind: DocumentKind
    doc_id: Annotated[str, Field(min_length=1, max_length=128)]
    """``baseline_id``, ``profile_id``, or the project id for an app spec."""
    project_id: ProjectId | None = None
    """The project the document is bound to; ``None`` for org-wide documents."""
    version: Annotated[int, Field(ge=1)]
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    created_by: Annotated[str, Field(min_length=1, max_length=200)]
    created_at: UtcDatetime
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    """Why the document changed; required so every change is explained."""
