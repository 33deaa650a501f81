"""The sections of a compiled package, one builder each, and the four merge rules.

The precedence table these implement is the docstring of
:mod:`pearl_core.context.merge`; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pearl_core.domain.app_spec import AppAutonomousCoding, AppResponsibleAi
from pearl_core.domain.compiled import (
    ApprovalCheckpoint,
    AutonomyPolicy,
    DataHandlingRequirements,
    IamRequirements,
    NetworkRequirements,
    RaiFairness,
    RaiOversight,
    RaiTransparency,
    RemediationEligibility,
    RequiredTests,
    ResponsibleAiRequirements,
    SecurityRequirements,
)
from pearl_core.domain.context import (
    ApplicationSpec,
    BaselineDefaults,
    EnvironmentProfile,
    OrgBaseline,
    ResponsibleAiDefaults,
)
from pearl_core.domain.enums import ExternalExposure

__all__ = [
    "autonomy",
    "checkpoints",
    "data_handling",
    "eligibility",
    "environment_profile",
    "flagged",
    "iam",
    "intersect",
    "network",
    "require",
    "required_tests",
    "responsible_ai",
    "security",
    "union",
]


# -- the four rules ------------------------------------------------------------


def require(*flags: bool | None) -> bool | None:
    """``True`` if any layer requires it, else ``False`` if one says no, else ``None``."""
    if any(flag is True for flag in flags):
        return True
    return False if any(flag is False for flag in flags) else None


def union(*lists: Iterable[str]) -> list[str]:
    """Everything any layer lists, once each, sorted."""
    return sorted({item for items in lists for item in items})


def intersect(grant: Iterable[str], narrowing: Iterable[str], *, minus: Iterable[str]) -> list[str]:
    """``grant`` narrowed by ``narrowing`` (unless it is empty), less ``minus``, sorted."""
    allowed = set(grant)
    if narrowed := set(narrowing):
        allowed &= narrowed
    return sorted(allowed - set(minus))


# -- sections ------------------------------------------------------------------


def environment_profile(baseline: OrgBaseline, profile: EnvironmentProfile) -> dict[str, Any]:
    own = profile.model_dump(
        mode="json",
        include={"delivery_stage", "risk_level", "autonomy_mode", "approval_level"},
        exclude_none=True,
    )
    return {**baseline.environment_defaults.get(profile.environment, {}), **own}


def autonomy(profile: EnvironmentProfile, app_spec: ApplicationSpec) -> AutonomyPolicy:
    coding = app_spec.autonomous_coding or AppAutonomousCoding()
    blocked = union(profile.blocked_capabilities, coding.blocked_actions)
    return AutonomyPolicy(
        mode=profile.autonomy_mode,
        allowed_actions=intersect(
            profile.allowed_capabilities, coding.allowed_actions, minus=blocked
        ),
        blocked_actions=blocked,
        approval_required_for=union(coding.approval_required_for),
    )


def iam(defaults: BaselineDefaults, app_spec: ApplicationSpec) -> IamRequirements:
    app = app_spec.iam
    return IamRequirements(
        least_privilege_required=require(
            defaults.iam.least_privilege_required, app.least_privilege_required if app else None
        )
    )


def network(defaults: BaselineDefaults, app_spec: ApplicationSpec) -> NetworkRequirements:
    app = app_spec.network
    return NetworkRequirements(
        outbound_allowlist=union(app.outbound_allowlist if app else []),
        public_egress_forbidden=require(
            defaults.network.deny_by_default_preferred,
            app.public_egress_forbidden if app else None,
        ),
    )


def data_handling(app_spec: ApplicationSpec) -> DataHandlingRequirements:
    data = app_spec.data
    return DataHandlingRequirements(
        prohibited_in_model_context=union(data.prohibited_in_model_context if data else [])
    )


def flagged(*pairs: tuple[bool | None, str]) -> list[str]:
    """The names whose flag is true: how a baseline flag becomes a listed requirement."""
    return [name for flag, name in pairs if flag]


def security(defaults: BaselineDefaults, app_spec: ApplicationSpec) -> SecurityRequirements:
    coding, logging, controls = defaults.coding, defaults.logging, app_spec.controls
    events = logging.security_events_minimum if logging else []
    baseline_controls = flagged(
        (coding.secure_coding_standard_required, "secure_coding_standard"),
        (coding.dependency_pinning_required, "dependency_pinning"),
        (logging.structured_logging_required if logging else None, "structured_logging"),
    ) + [f"security_event_logging:{event}" for event in events]
    baseline_prohibited = flagged(
        (coding.secret_hardcoding_forbidden, "hardcoded_secrets"),
        (defaults.iam.wildcard_permissions_forbidden_by_default, "wildcard_iam_permissions"),
        (defaults.network.outbound_connectivity_must_be_declared, "undeclared_external_egress"),
        (logging.pii_in_logs_forbidden_by_default if logging else None, "pii_in_logs"),
    )
    return SecurityRequirements(
        required_controls=union(baseline_controls, controls.required_controls if controls else []),
        prohibited_patterns=union(
            baseline_prohibited, controls.prohibited_patterns if controls else []
        ),
    )


def responsible_ai(
    defaults: BaselineDefaults, app_spec: ApplicationSpec
) -> ResponsibleAiRequirements | None:
    application = app_spec.application
    applies = application.ai_enabled and defaults.responsible_ai is not None
    if app_spec.responsible_ai is None and not applies:
        return None
    org = (defaults.responsible_ai if applies else None) or ResponsibleAiDefaults()
    app = app_spec.responsible_ai or AppResponsibleAi()
    user_facing = application.external_exposure is not ExternalExposure.INTERNAL_ONLY
    return ResponsibleAiRequirements(
        transparency=RaiTransparency(
            ai_disclosure_required=require(
                app.ai_disclosure_required,
                org.ai_use_disclosure_required_for_user_facing if user_facing else None,
            ),
            model_provenance_logging_required=require(
                app.model_provenance_logging_required, org.model_provenance_logging_required
            ),
            explanation_metadata_required=app.explanation_metadata_required,
        ),
        fairness=RaiFairness(
            review_required=require(
                app.fairness_review_required,
                org.fairness_review_required_when_user_impact_is_material if user_facing else None,
            ),
            monitoring_required=require(app.fairness_monitoring_required),
        ),
        oversight=RaiOversight(
            human_review_required_for=union(
                app.human_review_required_for,
                flagged(
                    (org.human_oversight_required_for_high_impact_actions, "high_impact_actions")
                ),
            )
        ),
    )


def required_tests(defaults: BaselineDefaults, app_spec: ApplicationSpec) -> RequiredTests:
    testing, app = defaults.testing, app_spec.tests or RequiredTests()
    ai_enabled = app_spec.application.ai_enabled
    return RequiredTests(
        security=union(
            app.security,
            flagged((testing.security_tests_baseline_required, "security_baseline_tests")),
        ),
        rai=union(
            app.rai,
            flagged((ai_enabled and testing.rai_evals_required_for_ai_enabled_apps, "rai_evals")),
        ),
        functional=union(app.functional, flagged((testing.unit_tests_required, "unit_tests"))),
    )


def checkpoints(app_spec: ApplicationSpec, profile: EnvironmentProfile) -> list[ApprovalCheckpoint]:
    given = app_spec.approvals.checkpoints if app_spec.approvals else []
    unique = {
        (cp.checkpoint_id, cp.trigger, tuple(sorted(set(cp.required_roles))), cp.environment)
        for cp in given
        if cp.environment in (None, profile.environment)
    }
    return [
        ApprovalCheckpoint(
            checkpoint_id=checkpoint_id,
            trigger=trigger,
            required_roles=list(roles),
            environment=env,
        )
        for checkpoint_id, trigger, roles, env in sorted(
            unique, key=lambda key: (*key[:3], key[3] or "")
        )
    ]


def eligibility(coding: AppAutonomousCoding | None) -> RemediationEligibility | None:
    if coding is None or not coding.remediation_rules:
        return None
    return RemediationEligibility(rules=list(coding.remediation_rules))
