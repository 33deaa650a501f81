"""The compiled context package, per ``compiled-context-package.schema.json``.

Compiling merges the org baseline, the application spec and an environment
profile into one hashed document: everything an agent must know before it
touches the project in that environment. Packets and guard-rail checks read
this package, never the three sources, so a decision can be replayed against
the exact package (by id and hash) it was made under.

A few parts (:class:`RequiredTests`, :class:`ApprovalCheckpoint`,
:class:`EligibilityRule`) are shared with the application spec, whose PeaRL
sub-objects feed these sections one to one.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel
from pearl_core.domain.common import (
    Integrity,
    ProjectId,
    Reference,
    SchemaVersion,
    ShortText,
    TraceabilityRef,
)
from pearl_core.domain.enums import AutonomyMode, DeliveryStage, Eligibility, Environment

__all__ = [
    "ApprovalCheckpoint",
    "AutonomyPolicy",
    "CompiledContextPackage",
    "CompiledFrom",
    "DataHandlingRequirements",
    "EligibilityRule",
    "ExplanationLevel",
    "IamRequirements",
    "InputVersion",
    "InputVersions",
    "NetworkRequirements",
    "PackageMetadata",
    "ProjectIdentity",
    "RaiFairness",
    "RaiOversight",
    "RaiTransparency",
    "ReassessmentTriggers",
    "RemediationEligibility",
    "RequiredTests",
    "ResponsibleAiRequirements",
    "SecurityRequirements",
    "ToolAndModelConstraints",
]

ExplanationLevel = Literal["none", "basic", "enhanced"]


class CompiledFrom(PearlModel):
    """The ids of the three (or four) documents this package was merged from."""

    org_baseline_id: str
    app_spec_id: str
    environment_profile_id: str
    remediation_overlay_id: str | None = None


Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class InputVersion(PearlModel):
    """The stored version of one input document a package was compiled from."""

    doc_id: Annotated[str, Field(min_length=1, max_length=128)]
    version: Annotated[int, Field(ge=1)]
    content_hash: Sha256Hex
    """SHA-256 of the document's canonical JSON, as in its ``DocumentVersion``."""


class InputVersions(PearlModel):
    """Exactly what went into a package: the three documents and the policy bundle.

    A package is stale as soon as any of these differs from what compiling
    now would read (PeaRL extension; the contract's ``compiled_from`` has ids
    only, which do not change when a document gets a new version).
    """

    org_baseline: InputVersion
    app_spec: InputVersion
    environment_profile: InputVersion
    policy_bundle_hash: Sha256Hex


class PackageMetadata(PearlModel):
    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"input_versions"})

    package_id: Annotated[str, Field(min_length=3, max_length=128, pattern=r"^pkg_[A-Za-z0-9_-]+$")]
    compiled_from: CompiledFrom
    integrity: Integrity
    compiler_version: str | None = None
    merge_precedence_version: str | None = None
    input_versions: InputVersions | None = None
    """Versions and content hashes of the inputs, and the bundle hash (extension)."""


class ProjectIdentity(PearlModel):
    project_id: ProjectId
    app_id: str | None = None
    environment: Environment
    delivery_stage: DeliveryStage | None = None
    ai_enabled: bool


class AutonomyPolicy(PearlModel):
    """What an agent may do on its own here, and what always needs a human."""

    mode: AutonomyMode
    allowed_actions: list[ShortText]
    blocked_actions: list[ShortText]
    approval_required_for: list[ShortText] = Field(default_factory=list)


class SecurityRequirements(PearlModel):
    required_controls: list[ShortText]
    prohibited_patterns: list[ShortText] = Field(default_factory=list)


class RaiTransparency(PearlModel):
    ai_disclosure_required: bool | None = None
    model_provenance_logging_required: bool | None = None
    explanation_metadata_required: ExplanationLevel | None = None


class RaiFairness(PearlModel):
    review_required: bool | None = None
    monitoring_required: bool | None = None


class RaiOversight(PearlModel):
    human_review_required_for: list[str] = Field(default_factory=list)


class ResponsibleAiRequirements(PearlModel):
    transparency: RaiTransparency | None = None
    fairness: RaiFairness | None = None
    oversight: RaiOversight | None = None


class IamRequirements(PearlModel):
    least_privilege_required: bool | None = None


class NetworkRequirements(PearlModel):
    outbound_allowlist: list[ShortText] = Field(default_factory=list)
    public_egress_forbidden: bool | None = None


class DataHandlingRequirements(PearlModel):
    prohibited_in_model_context: list[ShortText] = Field(default_factory=list)


class ToolAndModelConstraints(PearlModel):
    allowed_tool_classes: list[ShortText] = Field(default_factory=list)
    forbidden_tool_classes: list[ShortText] = Field(default_factory=list)
    allowed_model_tiers: list[ShortText] = Field(default_factory=list)
    forbidden_model_tiers: list[ShortText] = Field(default_factory=list)


class RequiredTests(PearlModel):
    """Test suites a change must pass, by kind."""

    security: list[ShortText] = Field(default_factory=list)
    rai: list[ShortText] = Field(default_factory=list)
    functional: list[ShortText] = Field(default_factory=list)


class ApprovalCheckpoint(PearlModel):
    """A trigger (``auth_flow_change``) that needs sign-off from these roles."""

    checkpoint_id: ShortText
    trigger: ShortText
    required_roles: list[ShortText] = Field(default_factory=list)
    environment: Environment | None = None


class ReassessmentTriggers(PearlModel):
    architecture_delta: list[ShortText] = Field(default_factory=list)


class EligibilityRule(PearlModel):
    """Findings matching ``match`` get ``eligibility`` instead of the default."""

    match: ShortText
    eligibility: Eligibility


class RemediationEligibility(PearlModel):
    default: Eligibility | None = None
    rules: list[EligibilityRule] = Field(default_factory=list)


class CompiledContextPackage(PearlModel):
    """The merged, hashed context of one project in one environment.

    Its only extensions are in ``package_metadata`` (``input_versions``) and
    the integrity block (``signature``, ``key_id``).
    """

    schema_version: SchemaVersion = SCHEMA_VERSION
    kind: Literal["PearlCompiledContextPackage"] = "PearlCompiledContextPackage"
    package_metadata: PackageMetadata
    project_identity: ProjectIdentity
    environment_profile: dict[str, Any] = Field(default_factory=dict)
    """The profile as compiled in; the contract leaves this object open."""
    autonomy_policy: AutonomyPolicy
    security_requirements: SecurityRequirements
    responsible_ai_requirements: ResponsibleAiRequirements | None = None
    iam_requirements: IamRequirements | None = None
    network_requirements: NetworkRequirements | None = None
    data_handling_requirements: DataHandlingRequirements | None = None
    tool_and_model_constraints: ToolAndModelConstraints | None = None
    required_tests: RequiredTests | None = None
    approval_checkpoints: list[ApprovalCheckpoint] = Field(default_factory=list)
    evidence_requirements: list[ShortText] = Field(default_factory=list)
    change_reassessment_triggers: ReassessmentTriggers | None = None
    autonomous_remediation_eligibility: RemediationEligibility | None = None
    exceptions: list[str] = Field(default_factory=list)
    """Ids of the active exceptions applied while compiling."""
    traceability: TraceabilityRef | None = None
    references: list[Reference] = Field(default_factory=list)

    @property
    def package_id(self) -> str:
        return self.package_metadata.package_id

    @property
    def environment(self) -> Environment:
        return self.project_identity.environment

    @property
    def project_id(self) -> str:
        return self.project_identity.project_id
