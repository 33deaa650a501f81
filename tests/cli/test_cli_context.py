"""``pearl context``: compile, show, status and offline verify, on a real SQLite file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import anyio
import pytest

from pearl_core import (
    Environment,
    EnvironmentProfile,
    Settings,
    bootstrap,
    put_app_spec,
    put_environment_profile,
)
from pearl_core.domain.enums import RiskLevel, Role
from pearl_core.testing import make_app_spec, make_principal
from pearl_mcp.cli import main

ORG = "org_clitest"
PROJECT = "proj_payments"
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN})


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": ORG,
        "PEARL_LOG_LEVEL": "error",
        "PEARL_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing-key.pem"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pearl argv`` in-process; return (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def as_admin(env: dict[str, str], change: str) -> None:
    """Make a policy change through the library, as an admin (the CLI is an operator)."""

    async def work() -> None:
        app = bootstrap(Settings.from_env(env), configure_logs=False)
        try:
            if change == "app_spec":
                await put_app_spec(app.unit_of_work(ADMIN), PROJECT, make_app_spec(), "first spec")
                return
            async with app.unit_of_work(ADMIN) as uow:
                profile = await uow.environment_profiles.effective(Environment.DEV)
            riskier: EnvironmentProfile = profile.model_copy(update={"risk_level": RiskLevel.HIGH})
            await put_environment_profile(app.unit_of_work(ADMIN), riskier, "riskier dev")
        finally:
            await app.aclose()

    anyio.run(work)


@pytest.fixture
def project(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> str:
    pearl(capsys, "init")
    pearl(capsys, "projects", "create", "--name", "Payments", "--id", PROJECT)
    as_admin(env, "app_spec")
    return PROJECT


def compile_dev(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = pearl(
        capsys, "context", "compile", "--project", PROJECT, "--env", "dev", "--json"
    )
    assert (code, err) == (0, "")
    result: dict[str, object] = json.loads(out)
    return result


def test_compile_prints_the_package_and_creates_a_private_key(
    env: dict[str, str], project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    compiled = compile_dev(capsys)

    assert compiled["stale"] is False
    assert compiled["changed"] == []
    assert str(compiled["package_id"]).startswith("pkg_")
    assert len(str(compiled["hash"])) == 64
    key_file = Path(env["PEARL_SIGNING_KEY_FILE"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert compile_dev(capsys) == compiled


def test_an_exported_package_verifies_offline_and_a_tampered_one_exits_2(
    project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compile_dev(capsys)
    _, exported, _ = pearl(
        capsys, "context", "show", "--project", PROJECT, "--env", "dev", "--json"
    )
    _, pem, _ = pearl(capsys, "context", "public-key")
    package_file, key_file = tmp_path / "package.json", tmp_path / "public.pem"
    package_file.write_text(exported)
    key_file.write_text(pem)

    code, out, _ = pearl(capsys, "context", "verify", str(package_file), "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    code, _, _ = pearl(
        capsys, "context", "verify", str(package_file), "--public-key", str(key_file)
    )
    assert code == 0

    doc = json.loads(exported)
    doc["autonomy_policy"]["allowed_actions"].append("prod_deploy")
    package_file.write_text(json.dumps(doc))
    code, out, err = pearl(
        capsys, "context", "verify", str(package_file), "--public-key", str(key_file)
    )
    assert (code, out) == (2, "")
    assert err.startswith("pearl: error [signature_invalid] ")


def test_a_new_profile_version_shows_as_stale_until_recompiled(
    env: dict[str, str], project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old = str(compile_dev(capsys)["package_id"])

    as_admin(env, "environment_profile")
    code, out, _ = pearl(capsys, "context", "status", old, "--json")

    assert code == 0
    assert json.loads(out) == {"package_id": old, "stale": True, "changed": ["environment_profile"]}
    new = compile_dev(capsys)
    assert new["package_id"] != old
    assert new["stale"] is False
    _, text, _ = pearl(capsys, "context", "status", old)
    assert text.strip() == f"{old}  stale (environment_profile changed)"


def test_show_without_a_compiled_package_is_a_not_found_error(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pearl(capsys, "context", "show", "--project", PROJECT, "--env", "prod")

    assert (code, out) == (1, "")
    assert err.startswith("pearl: error [not_found] ")


def test_compile_without_an_app_spec_is_a_not_found_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "init")
    pearl(capsys, "projects", "create", "--name", "Bare", "--id", "proj_bare")

    code, _, err = pearl(capsys, "context", "compile", "--project", "proj_bare", "--env", "dev")

    assert code == 1
    assert err.startswith("pearl: error [not_found] ")
