"""``pearl policy eval|replay|history|diff`` (``pearl_mcp/cli/policy_log.py`` and
``policy_versions.py``), run as a user would on a real SQLite file, with the
mini bundle of ``policy_bundle.py``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import anyio
import pytest
from policy_bundle import COMMAND

from pearl_core import Settings, bootstrap
from pearl_mcp.cli import main

GUARD = "pearl.guardrails.decision"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": "org_clipolicy",
        "PEARL_LOG_LEVEL": "error",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bundle(
    env: dict[str, str], rego_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, ...]:
    """``--bundle``/``--data`` options for the mini bundle, on a migrated database."""
    assert pearl(capsys, "db", "upgrade")[0] == 0
    return ("--bundle", str(rego_dir), "--data", str(data_dir))


def test_eval_decides_logs_the_decision_and_masks_secrets(
    bundle: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    action = {"path": ".git/config", "command": "pytest", "token": "tok-123"}
    code, out, err = pearl(
        capsys, "policy", "eval", GUARD, "--input", json.dumps(action), *bundle, "--json"
    )

    record = json.loads(out)
    assert (code, err) == (0, "")
    assert record["decision"] == "deny"
    assert [reason["rule_id"] for reason in record["reasons"]] == [
        "guardrails.rules.protected_paths"
    ]
    assert record["input"] == {**action, "token": "***"}
    assert record["principal_kind"] == "human"

    code, out, _ = pearl(capsys, "policy", "replay", "--since", "1h", *bundle, "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["replayed"], report["unchanged"], report["masked"]) == (1, 1, 1)


def test_eval_reads_the_input_from_stdin_and_prints_the_reasons(
    bundle: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"path": "src/app.py", "command": "rm"}'))

    code, out, _ = pearl(capsys, "policy", "eval", GUARD, *bundle)

    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith(f"deny  {GUARD}  dec_")
    assert lines[1] == "  - guardrails.rules.command_allowed [moderate] command not allowed"
    assert lines[2] == "    hint: Use a command from the environment's allow-list."


@pytest.mark.parametrize(
    ("given", "code"),
    [("[1, 2]", "validation_failed"), ("{not json", "validation_failed")],
)
def test_eval_of_an_input_that_is_not_a_json_object_is_refused(
    bundle: tuple[str, ...], capsys: pytest.CaptureFixture[str], given: str, code: str
) -> None:
    exit_code, out, err = pearl(capsys, "policy", "eval", GUARD, "--input", given, *bundle)

    assert (exit_code, out) == (1, "")
    assert err.startswith(f"pearl: error [{code}]")


def test_eval_of_an_unknown_entrypoint_fails_and_logs_nothing(
    bundle: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pearl(capsys, "policy", "eval", "pearl.gate.decision", "--input", "{}", *bundle)

    assert code == 1
    assert err.startswith("pearl: error [policy_evaluation_failed]")
    _, out, _ = pearl(capsys, "policy", "replay", "--since", "1h", *bundle, "--json")
    assert json.loads(out)["replayed"] == 0


def test_replay_reports_what_a_modified_rule_would_change(
    bundle: tuple[str, ...],
    rego_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for action in (
        {"path": "src/a.py", "command": "pytest"},
        {"path": "src/b.py", "command": "rm"},
    ):
        assert (
            pearl(capsys, "policy", "eval", GUARD, "--input", json.dumps(action), *bundle)[0] == 0
        )
    candidate = tmp_path / "candidate"
    shutil.copytree(rego_dir, candidate)
    relaxed = COMMAND.replace("\tinput.command\n", '\tinput.command\n\tinput.command != "rm"\n')
    (candidate / "pearl/guardrails/rules/command_allowed.rego").write_text(relaxed)

    code, out, _ = pearl(
        capsys,
        "policy",
        "replay",
        "--since",
        "2000-01-01T00:00:00Z",
        "--bundle",
        str(candidate),
        "--data",
        bundle[3],
    )

    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("replayed 2 decision(s) since 2000-01-01T00:00:00Z on bundle ")
    assert lines[0].endswith(": 1 unchanged, 1 changed")
    assert lines[1].startswith("~ dec_")
    assert lines[1].endswith("deny -> allow  -guardrails.rules.command_allowed")


def test_replay_with_an_unreadable_since_is_a_usage_error(
    bundle: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pearl(capsys, "policy", "replay", "--since", "last tuesday", *bundle)

    assert (code, out) == (2, "")
    assert "--since" in err


def _store_second_version(env: dict[str, str]) -> int:
    """Block one more capability in the seeded prod profile; return its index."""

    async def put() -> int:
        app = bootstrap(Settings.from_env(env), configure_logs=False)
        try:
            async with app.unit_of_work(app.system_principal()) as uow:
                profile = await uow.environment_profiles.get("envp_default_prod")
                tightened = profile.model_copy(
                    update={
                        "blocked_capabilities": [*profile.blocked_capabilities, "network_egress"]
                    }
                )
                version = await uow.environment_profiles.put(tightened, reason="block egress")
                await uow.audit.record(
                    "environment_profile.version_created",
                    resource_type="environment_profile",
                    resource_id=version.doc_id,
                    details={"version": version.version},
                )
                await uow.commit()
                return len(profile.blocked_capabilities)
        finally:
            await app.aclose()

    return anyio.run(put)


def test_history_and_diff_show_a_changed_environment_profile(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert pearl(capsys, "init")[0] == 0
    blocked = _store_second_version(env)

    code, out, _ = pearl(
        capsys, "policy", "history", "environment-profile", "envp_default_prod", "--json"
    )
    versions = json.loads(out)
    assert code == 0
    assert [(v["version"], v["reason"], v["created_by"]) for v in versions] == [
        (1, "default policies", "system:pearl-system"),
        (2, "block egress", "system:pearl-system"),
    ]

    code, out, _ = pearl(capsys, "policy", "history", "environment-profile", "envp_default_prod")
    assert [line.split()[0] for line in out.splitlines()] == ["v1", "v2"]

    code, out, _ = pearl(
        capsys, "policy", "diff", "environment-profile", "envp_default_prod", "1", "2"
    )
    assert code == 0
    assert out.splitlines()[0] == "envp_default_prod v1 -> v2"
    assert out.splitlines()[1:] == [f'+ blocked_capabilities[{blocked}]: "network_egress"']

    code, out, _ = pearl(
        capsys, "policy", "diff", "environment-profile", "envp_default_prod", "2", "1", "--json"
    )
    assert json.loads(out)["changes"] == [
        {
            "path": f"blocked_capabilities[{blocked}]",
            "op": "removed",
            "old": "network_egress",
            "new": None,
        }
    ]


def test_history_of_an_unknown_document_is_not_found(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert pearl(capsys, "init")[0] == 0

    code, _, err = pearl(capsys, "policy", "history", "org-baseline", "orgb_nope")

    assert code == 1
    assert err.startswith("pearl: error [not_found]")
