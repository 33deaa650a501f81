"""The application spec, per ``application-spec.schema.json``.

The spec is the project team's own description of its application: parts,
trust boundaries, data, and what it asks of agents. The contract declares the
sub-objects ``iam``, ``network``, ``responsible_ai``, ``autonomous_coding``,
``controls``, ``tests`` and ``approvals`` but closes them with no properties
(so only ``{}`` validates), and none of its examples fill them. PeaRL gives
each the fields of the compiled-package section it feeds, so the compiler
maps them one to one; every such field is a PeaRL extension (empty objects
remain valid v1.1).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel
from pearl_core.domain.common import Integrity, SchemaVersion, ShortText
from pearl_core.domain.compiled import (
    ApprovalCheckpoint,
    EligibilityRule,
    ExplanationLevel,
    RequiredTests,
)
from pearl_core.domain.enums import (
    BusinessCriticality,
    DataSensitivity,
    ExternalExposure,
    RiskLevel,
)

__all__ = [
    "AppApprovals",
    "AppAutonomousCoding",
    "AppControls",
    "AppIam",
    "AppNetwork",
    "AppResponsibleAi",
    "AppTests",
    "Application",
    "ApplicationSpec",
    "Architecture",
    "Component",
    "DataClassification",
    "DataSpec",
    "TrustBoundary",
]


class Application(PearlModel):
    app_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{2,100}$")]
    owner_team: Annotated[str, Field(min_length=1, max_length=200)]
    business_criticality: BusinessCriticality
    external_exposure: ExternalExposure
    ai_enabled: bool


class Component(PearlModel):
    id: ShortText
    type: ShortText
    criticality: RiskLevel | None = None


class TrustBoundary(PearlModel):
    """A boundary data crosses, ``from`` one component ``to`` another.

    ``from`` is a Python keyword, so the field is ``from_`` in code and
    ``from`` on the wire (both in and out).
    """

    model_config = ConfigDict(
        validate_by_alias=True, validate_by_name=True, serialize_by_alias=True
    )

    id: ShortText
    from_: Annotated[str | None, Field(alias="from")] = None
    to: str | None = None


class Architecture(PearlModel):
    components: list[Component]
    trust_boundaries: list[TrustBoundary] = Field(default_factory=list)


class DataClassification(PearlModel):
    name: ShortText
    sensitivity: DataSensitivity


class DataSpec(PearlModel):
    classifications: list[DataClassification] = Field(default_factory=list)
    prohibited_in_model_context: list[ShortText] = Field(default_factory=list)


class AppIam(PearlModel):
    """Feeds ``iam_requirements`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"least_privilege_required"})

    least_privilege_required: bool | None = None


class AppNetwork(PearlModel):
    """Feeds ``network_requirements`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {"outbound_allowlist", "public_egress_forbidden"}
    )

    outbound_allowlist: list[ShortText] = Field(default_factory=list)
    public_egress_forbidden: bool | None = None


class AppResponsibleAi(PearlModel):
    """Feeds ``responsible_ai_requirements`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "ai_disclosure_required",
            "model_provenance_logging_required",
            "explanation_metadata_required",
            "fairness_review_required",
            "fairness_monitoring_required",
            "human_review_required_for",
        }
    )

    ai_disclosure_required: bool | None = None
    model_provenance_logging_required: bool | None = None
    explanation_metadata_required: ExplanationLevel | None = None
    fairness_review_required: bool | None = None
    fairness_monitoring_required: bool | None = None
    human_review_required_for: list[str] = Field(default_factory=list)


class AppAutonomousCoding(PearlModel):
    """Feeds ``autonomy_policy`` and ``autonomous_remediation_eligibility`` (extension).

    The compiler must only narrow what the environment profile allows: an
    action listed here but blocked by the profile stays blocked.
    """

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {"allowed_actions", "blocked_actions", "approval_required_for", "remediation_rules"}
    )

    allowed_actions: list[ShortText] = Field(default_factory=list)
    blocked_actions: list[ShortText] = Field(default_factory=list)
    approval_required_for: list[ShortText] = Field(default_factory=list)
    remediation_rules: list[EligibilityRule] = Field(default_factory=list)


class AppControls(PearlModel):
    """Feeds ``security_requirements`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {"required_controls", "prohibited_patterns"}
    )

    required_controls: list[ShortText] = Field(default_factory=list)
    prohibited_patterns: list[ShortText] = Field(default_factory=list)


class AppTests(RequiredTests):
    """Feeds ``required_tests`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"security", "rai", "functional"})


class AppApprovals(PearlModel):
    """Feeds ``approval_checkpoints`` (PeaRL extension)."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"checkpoints"})

    checkpoints: list[ApprovalCheckpoint] = Field(default_factory=list)


class ApplicationSpec(PearlModel):
    """The team's description of its application (contract shape; see module doc)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    kind: Literal["PearlApplicationSpec"] = "PearlApplicationSpec"
    application: Application
    architecture: Architecture
    data: DataSpec | None = None
    iam: AppIam | None = None
    network: AppNetwork | None = None
    responsible_ai: AppResponsibleAi | None = None
    autonomous_coding: AppAutonomousCoding | None = None
    controls: AppControls | None = None
    tests: AppTests | None = None
    approvals: AppApprovals | None = None
    integrity: Integrity | None = None

    @property
    def app_id(self) -> str:
        return self.application.app_id
