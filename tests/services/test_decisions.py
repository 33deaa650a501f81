"""Evaluating a policy logs the decision; replaying the log reports what would change.

Every test runs on the in-memory fake, SQLite and PostgreSQL, with real
bundles on the embedded engine (``decision_bundle.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from decision_bundle import (
    CASE_FOLDED,
    ENTRYPOINT,
    KEYS,
    PRIVATE_KEYS,
    PROTECTED,
    engine_for,
    write_bundle,
)

from pearl_core import (
    DecisionRecord,
    InputMask,
    PolicyEngine,
    PolicyEvaluationError,
    RegorusEngine,
    evaluate_policy,
    replay_decisions,
)
from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.audit import GENESIS_HASH
from pearl_core.domain.decisions import DEFAULT_MASK_FIELDS
from pearl_core.domain.enums import PrincipalKind
from pearl_core.domain.identity import Principal
from pearl_core.errors import Forbidden, ValidationFailed
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import FakeClock, make_agent, make_principal
from pearl_core.trace import trace_scope

pytestmark = pytest.mark.anyio

ORG = "org_decisions"
OPERATOR = make_principal(org_id=ORG)
MASK = InputMask.of(DEFAULT_MASK_FIELDS)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def current(tmp_path: Path) -> RegorusEngine:
    return engine_for(write_bundle(tmp_path / "current"))


async def log(
    store: UnitOfWorkFactory,
    engine: PolicyEngine,
    clock: FakeClock,
    input: dict[str, Any],
    who: Principal = OPERATOR,
) -> DecisionRecord:
    return await evaluate_policy(
        store.unit_of_work(who), engine, ENTRYPOINT, input, clock=clock, mask=MASK
    )


async def logged(store: UnitOfWorkFactory) -> list[DecisionRecord]:
    async with store.unit_of_work(OPERATOR) as uow:
        return [record async for record in uow.decisions.since(EPOCH)]


async def test_every_evaluation_is_logged_with_bundle_hash_latency_and_principal(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    agent = make_agent(org_id=ORG)
    versions = {"environment_profile/envp_dev": "3"}
    with trace_scope("trc_decision_test"):
        record = await evaluate_policy(
            any_store.unit_of_work(agent),
            current,
            f"data.{ENTRYPOINT}",
            {"path": ".git/config"},
            clock=clock,
            mask=MASK,
            data_versions=versions,
        )

    assert await logged(any_store) == [record]
    assert (record.entrypoint, record.decision, record.rule_ids) == (
        ENTRYPOINT,
        "deny",
        {PROTECTED},
    )
    assert record.reasons[0]["severity"] == "high"
    assert record.result == {
        "decision": "deny",
        "reasons": [{"rule_id": PROTECTED, "message": "protected path"}],
    }
    assert record.bundle_hash == current.bundle_hash
    assert record.data_versions == versions
    assert (record.principal_id, record.principal_kind) == (
        agent.subject_id,
        PrincipalKind.SERVICE_ACCOUNT,
    )
    assert (record.org_id, record.decided_at, record.trace_id) == (
        ORG,
        clock.now(),
        "trc_decision_test",
    )
    assert record.latency_us >= record.eval_us > 0


async def test_logging_a_decision_needs_no_audit_event(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    await log(any_store, current, clock, {"path": "src/app.py"})

    async with any_store.unit_of_work(OPERATOR) as uow:
        assert await uow.audit.head() == (0, GENESIS_HASH)
    assert [record.decision for record in await logged(any_store)] == ["allow"]


async def test_masked_fields_are_never_stored_but_the_input_hash_covers_them(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    secret = "sk-live-0123456789abcdef"
    raw = {
        "path": "src/app.py",
        "Authorization": f"Bearer {secret}",
        "action": {"args": [{"api-key": secret}], "content": f"key = '{secret}'"},
    }

    record = await log(any_store, current, clock, raw)

    stored = (await logged(any_store))[0]
    assert secret not in stored.model_dump_json()
    assert stored.input == {
        "path": "src/app.py",
        "Authorization": "***",
        "action": {"args": [{"api-key": "***"}], "content": "***"},
    }
    assert stored.input_hash == record.input_hash == sha256_hex(canonical_json(raw))
    assert stored.input_masked
    assert raw["Authorization"] == f"Bearer {secret}"  # the caller's input is left alone


async def test_a_decision_that_cannot_be_made_raises_and_logs_nothing(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    with pytest.raises(PolicyEvaluationError) as caught:
        await evaluate_policy(
            any_store.unit_of_work(OPERATOR),
            current,
            "pearl.gate.decision",
            {},
            clock=clock,
            mask=MASK,
        )

    assert caught.value.code == "policy_evaluation_failed"
    assert await logged(any_store) == []


async def test_malformed_data_versions_are_validation_failed_and_log_nothing(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await evaluate_policy(
            any_store.unit_of_work(OPERATOR),
            current,
            ENTRYPOINT,
            {"path": "a"},
            clock=clock,
            mask=MASK,
            data_versions={"environment_profile/envp_dev": ""},
        )

    assert caught.value.code == "validation_failed"
    assert await logged(any_store) == []


async def test_a_principal_without_policy_read_cannot_evaluate(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    nobody = make_principal(org_id=ORG, roles=set())

    with pytest.raises(Forbidden) as caught:
        await log(any_store, current, clock, {"path": "a"}, who=nobody)

    assert caught.value.code == "forbidden"


async def test_replay_on_the_same_bundle_changes_nothing_and_writes_nothing(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    for path in ("src/a.py", ".git/config", ".pearl/state"):
        await log(any_store, current, clock, {"path": path})
        clock.advance(1)

    report = await replay_decisions(any_store.unit_of_work(OPERATOR), current, since=EPOCH)

    assert (report.replayed, report.unchanged, report.changed, report.masked) == (3, 3, (), 0)
    assert report.bundle_hash == current.bundle_hash
    assert len(await logged(any_store)) == 3


async def test_replay_on_a_candidate_reports_each_decision_whose_outcome_changes(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock, tmp_path: Path
) -> None:
    bypass = await log(any_store, current, clock, {"path": ".GIT/config"})
    await log(any_store, current, clock, {"path": "src/app.py"})
    await log(any_store, current, clock, {"path": ".git/config"})
    candidate = engine_for(write_bundle(tmp_path / "candidate", protected=CASE_FOLDED))

    report = await replay_decisions(any_store.unit_of_work(OPERATOR), candidate, since=EPOCH)

    assert (report.replayed, report.unchanged, report.bundle_hash) == (3, 2, candidate.bundle_hash)
    [change] = report.changed
    assert (change.decision_id, change.old_decision, change.new_decision) == (
        bypass.decision_id,
        "allow",
        "deny",
    )
    assert (change.added_rules, change.removed_rules, change.masked, change.error) == (
        (PROTECTED,),
        (),
        False,
        None,
    )
    assert change.old_bundle_hash == current.bundle_hash


async def test_masked_fields_replay_as_stars_and_such_decisions_are_flagged(
    any_store: UnitOfWorkFactory, clock: FakeClock, tmp_path: Path
) -> None:
    keys = engine_for(write_bundle(tmp_path / "keys", extra=PRIVATE_KEYS))
    record = await log(
        any_store, keys, clock, {"path": "k.pem", "content": "-----BEGIN PRIVATE KEY-----"}
    )
    assert record.rule_ids == {KEYS}

    report = await replay_decisions(any_store.unit_of_work(OPERATOR), keys, since=EPOCH)

    assert report.masked == 1
    [change] = report.changed
    assert (change.old_decision, change.new_decision, change.removed_rules, change.masked) == (
        "deny",
        "allow",
        (KEYS,),
        True,
    )


async def test_a_decision_the_candidate_cannot_make_is_a_change_with_its_error_code(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock, tmp_path: Path
) -> None:
    await log(any_store, current, clock, {"path": "src/app.py"})
    root = write_bundle(tmp_path / "no-entrypoint")
    (root / "rego" / "pearl" / "guardrails" / "decision.rego").unlink()

    report = await replay_decisions(any_store.unit_of_work(OPERATOR), engine_for(root), since=EPOCH)

    [change] = report.changed
    assert (change.old_decision, change.new_decision, change.error) == (
        "allow",
        None,
        "policy_evaluation_failed",
    )
    assert report.unchanged == 0


async def test_replay_pages_through_the_log_from_since_and_honours_entrypoint_and_limit(
    any_store: UnitOfWorkFactory, current: RegorusEngine, clock: FakeClock
) -> None:
    start = clock.now()
    for n in range(7):
        await log(any_store, current, clock, {"path": f"src/{n}.py"})
        clock.advance(60)

    async def replayed(**options: Any) -> int:
        uow = any_store.unit_of_work(OPERATOR)
        report = await replay_decisions(uow, current, batch_size=2, **options)
        return report.replayed

    assert await replayed(since=start) == 7
    assert await replayed(since=start + timedelta(minutes=2)) == 5
    assert await replayed(since=start, limit=3) == 3
    assert await replayed(since=start, limit=4) == 4
    assert await replayed(since=start, entrypoint=f"data.{ENTRYPOINT}") == 7
    assert await replayed(since=start, entrypoint="pearl.gate.decision") == 0
    assert await replayed(since=clock.now()) == 0
