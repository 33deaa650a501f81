"""Compiling context: precedence and narrowing only (pure, no store)."""

from __future__ import annotations

import pytest
from context_docs import PROJECT, app_spec, baseline, coding, compile_, profile
from hypothesis import given
from hypothesis import strategies as st

from pearl_core.domain import (
    AppApprovals,
    AppControls,
    AppIam,
    AppNetwork,
    AppResponsibleAi,
    ApprovalCheckpoint,
    AppTests,
    BaselineDefaults,
    CodingDefaults,
    IamDefaults,
    LoggingDefaults,
    NetworkDefaults,
    ResponsibleAiDefaults,
)
from pearl_core.domain import TestingDefaults as BaselineTesting
from pearl_core.domain.enums import (
    ApprovalLevel,
    AutonomyMode,
    DeliveryStage,
    Environment,
    ExternalExposure,
    RiskLevel,
)

# -- precedence ------------------------------------------------------------------


def test_the_profile_overrides_the_baselines_environment_defaults() -> None:
    b = baseline(
        environment_defaults={
            Environment.DEV: {
                "approval_level": "strict",
                "risk_level": "critical",
                "production_data_allowed": False,
            }
        }
    )
    p = profile(approval_level=ApprovalLevel.STANDARD, risk_level=RiskLevel.LOW)

    section = compile_(b, p=p).environment_profile

    assert section["approval_level"] == "standard"
    assert section["risk_level"] == "low"
    assert section["production_data_allowed"] is False


def test_a_baseline_environment_default_applies_where_the_profile_is_silent() -> None:
    b = baseline(environment_defaults={Environment.DEV: {"approval_level": "strict"}})

    section = compile_(b, p=profile(approval_level=None)).environment_profile

    assert section["approval_level"] == "strict"


def test_only_the_compiled_environments_defaults_are_used() -> None:
    b = baseline(environment_defaults={Environment.PROD: {"approval_level": "strict"}})

    assert "approval_level" not in compile_(b).environment_profile


def test_identity_and_mode_come_from_the_profile_and_the_app_spec() -> None:
    p = profile(delivery_stage=DeliveryStage.PILOT, autonomy_mode=AutonomyMode.ASSISTIVE)

    package = compile_(a=app_spec(ai_enabled=True), p=p)

    identity = package.project_identity
    assert (identity.project_id, identity.app_id, identity.ai_enabled) == (
        PROJECT.project_id,
        "payments-api",
        True,
    )
    assert (identity.environment, identity.delivery_stage) == (
        Environment.DEV,
        DeliveryStage.PILOT,
    )
    assert package.autonomy_policy.mode is AutonomyMode.ASSISTIVE


# -- narrowing only ----------------------------------------------------------------


def test_the_app_spec_cannot_allow_an_action_the_profile_does_not_grant() -> None:
    a = app_spec(autonomous_coding=coding(allowed_actions=["code_edit", "secret_read"]))

    assert compile_(a=a).autonomy_policy.allowed_actions == ["code_edit"]


def test_the_app_spec_cannot_allow_an_action_the_profile_blocks() -> None:
    p = profile(
        allowed_capabilities=["code_edit", "prod_deploy"], blocked_capabilities=["prod_deploy"]
    )
    a = app_spec(autonomous_coding=coding(allowed_actions=["prod_deploy", "code_edit"]))

    policy = compile_(a=a, p=p).autonomy_policy

    assert policy.allowed_actions == ["code_edit"]
    assert "prod_deploy" in policy.blocked_actions


def test_the_app_spec_narrows_the_profiles_grant() -> None:
    a = app_spec(autonomous_coding=coding(allowed_actions=["test_run"]))

    assert compile_(a=a).autonomy_policy.allowed_actions == ["test_run"]


def test_an_empty_app_spec_grant_does_not_narrow() -> None:
    a = app_spec(autonomous_coding=coding(allowed_actions=[], blocked_actions=["test_run"]))

    policy = compile_(a=a).autonomy_policy

    assert policy.allowed_actions == ["code_edit", "dependency_change"]


def test_blocked_actions_of_both_layers_add_up_and_leave_the_grant() -> None:
    a = app_spec(
        autonomous_coding=coding(
            blocked_actions=["dependency_change", "secret_read"],
            approval_required_for=["auth_flow_change"],
        )
    )

    policy = compile_(a=a).autonomy_policy

    assert policy.blocked_actions == ["dependency_change", "prod_deploy", "secret_read"]
    assert policy.allowed_actions == ["code_edit", "test_run"]
    assert policy.approval_required_for == ["auth_flow_change"]


def test_prohibitions_and_required_controls_of_every_layer_add_up() -> None:
    b = baseline(
        defaults=BaselineDefaults(
            coding=CodingDefaults(
                secret_hardcoding_forbidden=True, dependency_pinning_required=True
            ),
            logging=LoggingDefaults(
                pii_in_logs_forbidden_by_default=True, security_events_minimum=["authn"]
            ),
            iam=IamDefaults(wildcard_permissions_forbidden_by_default=True),
            network=NetworkDefaults(outbound_connectivity_must_be_declared=True),
            testing=BaselineTesting(security_tests_baseline_required=True),
        )
    )
    a = app_spec(
        controls=AppControls(
            required_controls=["authz_checks"], prohibited_patterns=["eval", "hardcoded_secrets"]
        ),
        tests=AppTests(security=["authz_negative_tests"]),
    )

    package = compile_(b, a)

    assert package.security_requirements.prohibited_patterns == [
        "eval",
        "hardcoded_secrets",
        "pii_in_logs",
        "undeclared_external_egress",
        "wildcard_iam_permissions",
    ]
    assert package.security_requirements.required_controls == [
        "authz_checks",
        "dependency_pinning",
        "security_event_logging:authn",
    ]
    assert package.required_tests is not None
    assert package.required_tests.security == ["authz_negative_tests", "security_baseline_tests"]


@pytest.mark.parametrize(
    ("org", "app", "compiled"),
    [
        (True, False, True),
        (False, True, True),
        (None, False, False),
        (False, None, False),
        (None, None, None),
    ],
)
def test_a_lower_layer_cannot_clear_a_requirement(
    org: bool | None, app: bool | None, compiled: bool | None
) -> None:
    b = baseline(
        defaults=BaselineDefaults(
            coding=CodingDefaults(),
            iam=IamDefaults(least_privilege_required=org),
            network=NetworkDefaults(deny_by_default_preferred=org),
            testing=BaselineTesting(),
        )
    )
    a = app_spec(
        iam=AppIam(least_privilege_required=app), network=AppNetwork(public_egress_forbidden=app)
    )

    package = compile_(b, a)

    assert package.iam_requirements is not None
    assert package.network_requirements is not None
    assert package.iam_requirements.least_privilege_required is compiled
    assert package.network_requirements.public_egress_forbidden is compiled


def test_baseline_responsible_ai_defaults_bind_ai_enabled_apps_only() -> None:
    b = baseline(
        defaults=baseline().defaults.model_copy(
            update={
                "responsible_ai": ResponsibleAiDefaults(
                    ai_use_disclosure_required_for_user_facing=True,
                    human_oversight_required_for_high_impact_actions=True,
                ),
                "testing": BaselineTesting(rai_evals_required_for_ai_enabled_apps=True),
            }
        )
    )

    plain = compile_(b, app_spec(ai_enabled=False))
    ai = compile_(
        b,
        app_spec(
            ai_enabled=True,
            responsible_ai=AppResponsibleAi(
                ai_disclosure_required=False, human_review_required_for=["refunds"]
            ),
        ),
    )

    assert plain.responsible_ai_requirements is None
    assert plain.required_tests is not None
    assert plain.required_tests.rai == []
    rai = ai.responsible_ai_requirements
    assert rai is not None
    assert rai.transparency is not None
    assert rai.oversight is not None
    assert rai.transparency.ai_disclosure_required is True
    assert rai.oversight.human_review_required_for == ["high_impact_actions", "refunds"]
    assert ai.required_tests is not None
    assert ai.required_tests.rai == ["rai_evals"]


def test_disclosure_defaults_skip_internal_only_apps() -> None:
    b = baseline(
        defaults=baseline().defaults.model_copy(
            update={
                "responsible_ai": ResponsibleAiDefaults(
                    ai_use_disclosure_required_for_user_facing=True
                )
            }
        )
    )
    internal = app_spec(ai_enabled=True).model_copy(deep=True)
    internal.application.external_exposure = ExternalExposure.INTERNAL_ONLY

    rai = compile_(b, internal).responsible_ai_requirements

    assert rai is not None
    assert rai.transparency is not None
    assert rai.transparency.ai_disclosure_required is None


def test_checkpoints_for_other_environments_are_left_out() -> None:
    def checkpoint(checkpoint_id: str, environment: Environment | None) -> ApprovalCheckpoint:
        return ApprovalCheckpoint(
            checkpoint_id=checkpoint_id, trigger="auth_flow_change", environment=environment
        )

    a = app_spec(
        approvals=AppApprovals(
            checkpoints=[
                checkpoint("cp_prod", Environment.PROD),
                checkpoint("cp_dev", Environment.DEV),
                checkpoint("cp_any", None),
                checkpoint("cp_dev", Environment.DEV),
            ]
        )
    )

    compiled = compile_(a=a).approval_checkpoints

    assert [cp.checkpoint_id for cp in compiled] == ["cp_any", "cp_dev"]


action = st.sampled_from(["code_edit", "test_run", "prod_deploy", "secret_read", "net_egress"])


@given(
    granted=st.lists(action),
    profile_blocked=st.lists(action),
    app_allowed=st.lists(action),
    app_blocked=st.lists(action),
)
def test_whatever_the_app_spec_says_the_grant_never_exceeds_the_profiles(
    granted: list[str], profile_blocked: list[str], app_allowed: list[str], app_blocked: list[str]
) -> None:
    p = profile(allowed_capabilities=granted, blocked_capabilities=profile_blocked)
    a = app_spec(autonomous_coding=coding(allowed_actions=app_allowed, blocked_actions=app_blocked))

    policy = compile_(a=a, p=p).autonomy_policy

    assert set(policy.allowed_actions) <= set(granted)
    assert set(policy.blocked_actions) == set(profile_blocked) | set(app_blocked)
    assert not set(policy.allowed_actions) & set(policy.blocked_actions)
