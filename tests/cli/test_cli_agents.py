"""``pearl agents``: service accounts and API keys from the command line, on a real
SQLite file; a printed key is checked the way the server checks it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from pearl_core import Principal, Settings, bootstrap, resolve_api_key
from pearl_mcp.cli import main

ORG = "org_clitest"
PEPPER = "fake-cli-test-pepper-not-a-secret-0123"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": ORG,
        "PEARL_LOG_LEVEL": "error",
        "PEARL_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing-key.pem"),
        "PEARL_API_KEY_PEPPER": PEPPER,
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


@pytest.fixture
def initialised(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert pearl(capsys, "init")[0] == 0
    return env


def resolve(env: dict[str, str], credential: str) -> Principal | None:
    """What the server makes of ``credential`` (the same settings, store and pepper)."""

    async def work() -> Principal | None:
        app = bootstrap(Settings.from_env(env), configure_logs=False)
        try:
            return await resolve_api_key(
                app.store.credentials, credential, pepper=PEPPER.encode(), clock=app.clock
            )
        finally:
            await app.aclose()

    return anyio.run(work)


def create(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = pearl(capsys, "agents", "create", "ci-bot", "--json", *extra)
    assert code == 0, err
    created: dict[str, Any] = json.loads(out)
    return created


def test_create_prints_the_key_once_and_it_authenticates_as_the_new_agent(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pearl(capsys, "agents", "create", "ci-bot", "--json")

    assert code == 0
    created = json.loads(out)
    assert "only time the key is shown" in err
    key = created["key"]
    account = created["service_account"]
    assert key.startswith(f"pearl_{created['api_key']['key_id']}_")
    assert "digest" not in created["api_key"]
    principal = resolve(initialised, key)
    assert principal is not None
    assert (principal.org_id, principal.subject_id) == (ORG, account["service_account_id"])
    assert principal.owner_user_id == account["owner_user_id"]
    assert str(account["owner_user_id"]).startswith("local:")


def test_list_shows_accounts_and_their_keys_but_never_a_secret_or_digest(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    created = create(capsys)
    secret = str(created["key"]).rsplit("_", 1)[1]

    code, out, _ = pearl(capsys, "agents", "list", "--json")
    _, text, _ = pearl(capsys, "agents", "list")

    assert code == 0
    [account] = json.loads(out)
    assert account["name"] == "ci-bot"
    assert [k["key_id"] for k in account["api_keys"]] == [created["api_key"]["key_id"]]
    assert secret not in out
    assert "digest" not in out
    assert "ci-bot" in text
    assert secret not in text


def test_key_mints_another_scoped_key_for_an_existing_agent(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    create(capsys)

    code, out, _ = pearl(
        capsys, "agents", "key", "ci-bot", "--scope", "packets:read", "--days", "7", "--json"
    )

    assert code == 0
    minted = json.loads(out)
    assert minted["api_key"]["scopes"] == ["packets:read"]
    principal = resolve(initialised, minted["key"])
    assert principal is not None
    assert principal.scopes == frozenset({"packets:read"})


def test_revoke_stops_the_key_from_authenticating(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    created = create(capsys)
    key_id = created["api_key"]["key_id"]

    code, out, _ = pearl(capsys, "agents", "revoke", key_id, "--json")

    assert code == 0
    assert json.loads(out)["revoked_at"] is not None
    assert resolve(initialised, str(created["key"])) is None
    again = pearl(capsys, "agents", "revoke", key_id)
    assert again[0] == 1
    assert again[2].startswith("pearl: error [invalid_transition]")


def test_key_commands_need_the_pepper_and_create_nothing_without_it(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PEARL_API_KEY_PEPPER")

    code, out, err = pearl(capsys, "agents", "create", "ci-bot")

    assert (code, out) == (1, "")
    assert err.startswith("pearl: error [configuration_error]")
    assert pearl(capsys, "agents", "list", "--json")[1].strip() == "[]"


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("--scope", "findings:ingest"), "forbidden"),
        (("--scope", "approvals:decide"), "forbidden"),
        (("--days", "8"), "limit_exceeded"),
    ],
)
def test_a_key_beyond_what_an_agent_may_have_is_refused(
    initialised: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    code: str,
) -> None:
    monkeypatch.setenv("PEARL_API_KEY_MAX_DAYS", "7")
    create(capsys)

    exit_code, out, err = pearl(capsys, "agents", "key", "ci-bot", *argv)

    assert (exit_code, out) == (1, "")
    assert err.startswith(f"pearl: error [{code}]")


def test_a_key_for_an_unknown_agent_is_not_found(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pearl(capsys, "agents", "key", "nobody")

    assert code == 1
    assert err.startswith("pearl: error [not_found]")
