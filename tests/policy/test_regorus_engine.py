"""The embedded regorus adapter: load-time verification, decisions, threads, reload."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from policy_bundle import DECISION, LIB, PROTECTED, Write

from pearl_core import PolicyEvaluationError, PolicyLoadError, RegorusEngine
from pearl_core.canonical import sha256_hex, sorted_json

GUARD = "pearl.guardrails.decision"
GIT_WRITE = {"path": ".git/config", "command": "pytest"}


def engine(rego_dir: Path, data_dir: Path) -> RegorusEngine:
    return RegorusEngine.from_directory(rego_dir, data_dir, require=[GUARD])


def test_good_bundle_loads_and_allows_a_plain_edit(rego_dir: Path, data_dir: Path) -> None:
    policy = engine(rego_dir, data_dir)
    decision = policy.evaluate(GUARD, {"path": "src/app.py", "command": "pytest"})
    assert policy.entrypoints == (GUARD,)
    assert decision.decision == "allow"
    assert decision.reasons == ()
    assert decision.bundle_hash == policy.bundle_hash
    assert decision.decision_id.startswith("dec_")


def test_reasons_carry_the_rule_metadata_joined_by_rule_id(rego_dir: Path, data_dir: Path) -> None:
    decision = engine(rego_dir, data_dir).evaluate(GUARD, GIT_WRITE)
    assert decision.decision == "deny"
    assert [r.to_dict() for r in decision.reasons] == [
        {
            "rule_id": "guardrails.rules.protected_paths",
            "message": ".git/config is below protected .git/",
            "title": "Protected paths",
            "hint": "Change files inside the task packet's allowed paths only.",
            "severity": "high",
            "details": {"path": ".git/config"},
        }
    ]


def test_decision_records_the_canonical_input_hash_and_timings(
    rego_dir: Path, data_dir: Path
) -> None:
    decision = engine(rego_dir, data_dir).evaluate("data." + GUARD, GIT_WRITE)
    assert decision.entrypoint == GUARD
    assert decision.input_hash == sha256_hex(sorted_json(GIT_WRITE))
    assert 0 < decision.eval_us <= decision.latency_us


def test_a_syntax_error_is_policy_invalid_with_file_and_line(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write("pearl/guardrails/rules/protected_paths.rego", PROTECTED.replace("msg :=", "msg :=="))
    with pytest.raises(PolicyLoadError) as caught:
        engine(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(
        rego_dir / "pearl/guardrails/rules/protected_paths.rego"
    )
    assert caught.value.details["line"] == 15
    assert caught.value.details["column"] is not None


def test_an_undefined_variable_fails_at_load_not_at_first_decision(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace("[input.path, prefix]", "[input.path, nowhere]"),
    )
    with pytest.raises(PolicyLoadError) as caught:
        engine(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["line"] == 15


def test_a_conflict_in_a_rule_no_entrypoint_reaches_fails_at_load(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/lib/paths.rego",
        (rego_dir / "pearl/lib/paths.rego").read_text() + "\nlimit := 1\n\nlimit := 2\n",
    )
    with pytest.raises(PolicyLoadError) as caught:
        engine(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(rego_dir / "pearl/lib/paths.rego")
    assert caught.value.details["line"] == 12


def test_an_entrypoint_without_a_default_fails_at_load(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write("pearl/guardrails/decision.rego", DECISION.replace("default decision", "fallback"))
    with pytest.raises(PolicyLoadError) as caught:
        engine(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(rego_dir / "pearl/guardrails/decision.rego")


def test_a_missing_required_entrypoint_fails_at_load(rego_dir: Path, data_dir: Path) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        RegorusEngine.from_directory(rego_dir, data_dir, require=["pearl.gate.decision"])
    assert caught.value.code == "policy_invalid"


def test_a_reason_naming_an_unknown_rule_fails_the_decision(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace('"rule_id": "guardrails.rules.protected_paths"', '"rule_id": "typo"'),
    )
    policy = engine(rego_dir, data_dir)
    with pytest.raises(PolicyEvaluationError) as caught:
        policy.evaluate(GUARD, GIT_WRITE)
    assert caught.value.code == "policy_evaluation_failed"
    assert caught.value.details["reason"] == "unknown_rule_id"


def test_a_run_time_error_fails_the_decision_with_its_location(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace("\tsome prefix", "\t1 / input.zero > 0\n\tsome prefix"),
    )
    policy = engine(rego_dir, data_dir)
    with pytest.raises(PolicyEvaluationError) as caught:
        policy.evaluate(GUARD, {**GIT_WRITE, "zero": 0})
    assert caught.value.code == "policy_evaluation_failed"
    assert caught.value.details["reason"] == "runtime_error"
    assert caught.value.details["line"] == 13


def test_input_that_is_not_json_data_is_refused(rego_dir: Path, data_dir: Path) -> None:
    with pytest.raises(PolicyEvaluationError) as caught:
        engine(rego_dir, data_dir).evaluate(GUARD, {"path": float("nan")})
    assert caught.value.code == "policy_evaluation_failed"
    assert caught.value.details["reason"] == "input_not_json"


def test_an_unknown_entrypoint_is_refused(rego_dir: Path, data_dir: Path) -> None:
    with pytest.raises(PolicyEvaluationError) as caught:
        engine(rego_dir, data_dir).evaluate("pearl.nothing.decision", {})
    assert caught.value.code == "policy_evaluation_failed"
    assert caught.value.details["reason"] == "unknown"


def test_other_threads_evaluate_on_their_own_engines(rego_dir: Path, data_dir: Path) -> None:
    policy = engine(rego_dir, data_dir)
    failures: list[BaseException] = []

    def decide(index: int) -> str:
        try:
            return policy.evaluate(GUARD, GIT_WRITE if index % 2 else {"path": "a.py"}).decision
        except BaseException as exc:  # PanicException is a BaseException: record, don't lose it
            failures.append(exc)
            raise

    with ThreadPoolExecutor(max_workers=4) as pool:
        decisions = list(pool.map(decide, range(200)))
    assert failures == []
    assert decisions == ["allow", "deny"] * 100


def test_an_engine_made_in_another_thread_serves_this_one(rego_dir: Path, data_dir: Path) -> None:
    made: list[RegorusEngine] = []
    maker = threading.Thread(target=lambda: made.append(engine(rego_dir, data_dir)))
    maker.start()
    maker.join()
    assert made[0].evaluate(GUARD, GIT_WRITE).decision == "deny"
    made.clear()
    gc.collect()  # dropping it here must not drop the maker's engine on this thread


def test_the_bundle_hash_changes_when_a_rule_changes(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    before = engine(rego_dir, data_dir).bundle_hash
    write("pearl/guardrails/rules/protected_paths.rego", PROTECTED + "\n# changed\n")
    assert engine(rego_dir, data_dir).bundle_hash != before


def test_reload_picks_up_a_changed_rule_in_every_thread(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    policy = engine(rego_dir, data_dir)
    old_hash = policy.bundle_hash
    assert policy.reload_if_changed() is False
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace("severity: high", "severity: critical"),
    )
    assert policy.reload_if_changed() is True
    assert policy.bundle_hash != old_hash
    with ThreadPoolExecutor(max_workers=2) as pool:
        severity = pool.submit(lambda: policy.evaluate(GUARD, GIT_WRITE).reasons[0].severity)
        assert severity.result() == "critical"
    assert policy.evaluate(GUARD, GIT_WRITE).reasons[0].severity == "critical"


def test_a_broken_reload_keeps_the_bundle_that_works(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    policy = engine(rego_dir, data_dir)
    old_hash = policy.bundle_hash
    write("pearl/guardrails/decision.rego", DECISION + "\ndecision if {\n")
    with pytest.raises(PolicyLoadError) as caught:
        policy.reload_if_changed()
    assert caught.value.code == "policy_invalid"
    assert policy.bundle_hash == old_hash
    assert policy.evaluate(GUARD, GIT_WRITE).decision == "deny"


def test_a_load_error_carries_no_engine_to_the_thread_that_catches_it(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write("pearl/lib/paths.rego", LIB + "\nlimit := 1\n\nlimit := 2\n")
    with ThreadPoolExecutor(max_workers=1) as pool:
        error = pool.submit(engine, rego_dir, data_dir).exception()
    assert isinstance(error, PolicyLoadError)
    assert error.code == "policy_invalid"
    del error
    gc.collect()  # an engine reachable from the traceback would be dropped here: an error


def test_an_evaluation_error_carries_no_engine_to_the_thread_that_catches_it(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace("\tsome prefix", "\t1 / input.zero > 0\n\tsome prefix"),
    )
    policy = engine(rego_dir, data_dir)
    with ThreadPoolExecutor(max_workers=1) as pool:
        error = pool.submit(policy.evaluate, GUARD, {"zero": 0}).exception()
    assert isinstance(error, PolicyEvaluationError)
    assert error.code == "policy_evaluation_failed"
    del error
    gc.collect()
