"""``pearl login``, ``pearl token`` and ``pearl logout`` against the real server app,
served on 127.0.0.1 from a thread over the same SQLite file."""

from __future__ import annotations

import json
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from identity_cli import ADMIN, ADMIN_PASSWORD, Cli, Result, serving, with_admin


@dataclass(frozen=True)
class Served:
    pearl: Cli
    base: str

    def login(self, password: str = ADMIN_PASSWORD) -> Result:
        return self.pearl(
            "login", "--server", self.base, "--email", ADMIN, env={"PEARL_PASSWORD": password}
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    cli = Cli(tmp_path)
    with_admin(cli)
    with serving(cli) as base:
        yield Served(cli, base)


def stored(pearl: Cli) -> dict[str, str]:
    data: dict[str, str] = json.loads(pearl.credentials_file.read_text())
    return data


def api_status(base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(timeout=30) as client:
        return client.get(f"{base}/api/v1/approvals/requests", headers=headers).status_code


def test_login_keeps_only_the_refresh_token_in_a_private_file(served: Served) -> None:
    result = served.login()

    assert result.code == 0, result.err
    pearl = served.pearl
    assert stat.S_IMODE(pearl.credentials_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(pearl.config_dir.stat().st_mode) == 0o700
    kept = stored(pearl)
    assert sorted(kept) == ["email", "refresh_token", "server"]
    assert (kept["server"], kept["email"]) == (served.base, ADMIN)
    assert kept["refresh_token"] not in result.text
    assert ADMIN_PASSWORD not in result.text
    assert list(pearl.config_dir.glob(".credentials-*")) == []  # no temp file left behind


def test_the_password_can_be_typed_at_a_hidden_prompt(served: Served) -> None:
    result = served.pearl(
        "login", "--server", served.base, "--email", ADMIN, input=f"{ADMIN_PASSWORD}\n"
    )

    assert result.code == 0, result.err
    assert ADMIN_PASSWORD not in result.text


def test_token_prints_an_access_token_the_api_accepts_and_rotates_the_refresh_token(
    served: Served,
) -> None:
    served.login()
    before = stored(served.pearl)["refresh_token"]

    result = served.pearl("token")
    as_json = served.pearl("token", "--json").json()

    access = result.out.strip()
    assert result.code == 0, result.err
    assert api_status(served.base, access) == 200
    assert as_json["token_type"] == "Bearer"
    assert api_status(served.base, as_json["access_token"]) == 200
    after = stored(served.pearl)["refresh_token"]
    assert after != before
    assert after not in result.text
    assert stat.S_IMODE(served.pearl.credentials_file.stat().st_mode) == 0o600


def test_a_wrong_password_stores_nothing_and_echoes_nothing(served: Served) -> None:
    result = served.login("not-the-admin-password")

    assert result.error_code() == "unauthenticated"
    assert "not-the-admin-password" not in result.text
    assert not served.pearl.credentials_file.exists()


def test_token_after_logout_fails_cleanly_and_the_session_is_over(served: Served) -> None:
    served.login()
    refresh_token = stored(served.pearl)["refresh_token"]

    logged_out = served.pearl("logout")
    token = served.pearl("token")

    assert logged_out.code == 0, logged_out.err
    assert not served.pearl.credentials_file.exists()
    assert token.error_code() == "unauthenticated"
    assert "Traceback" not in token.err
    with httpx2.Client(timeout=30) as client:
        reused = client.post(f"{served.base}/auth/refresh", json={"refresh_token": refresh_token})
    assert reused.status_code == 401


def test_a_reused_refresh_token_ends_the_whole_session(served: Served) -> None:
    served.login()
    pearl = served.pearl
    first = pearl.tmp_path / "first-copy.json"
    shutil.copyfile(pearl.credentials_file, first)
    assert pearl("token").code == 0  # rotates: the file now holds the next token
    second = pearl.tmp_path / "second-copy.json"
    shutil.copyfile(pearl.credentials_file, second)

    shutil.copyfile(first, pearl.credentials_file)
    replayed = pearl("token")

    assert replayed.error_code() == "unauthenticated"
    assert "login" in replayed.err
    assert not pearl.credentials_file.exists()  # a refused refresh forgets the session
    shutil.copyfile(second, pearl.credentials_file)
    assert pearl("token").error_code() == "unauthenticated"  # the newer token died with it


def test_token_without_a_login_is_unauthenticated(served: Served) -> None:
    assert served.pearl("token").error_code() == "unauthenticated"
    assert served.pearl("logout").error_code() == "unauthenticated"


@pytest.mark.parametrize(
    "server", ["http://pearl.example.com", "ftp://127.0.0.1", "https://", "not a url"]
)
def test_login_refuses_a_server_it_would_send_a_password_to_in_the_clear(
    served: Served, server: str
) -> None:
    result = served.pearl(
        "login", "--server", server, "--email", ADMIN, env={"PEARL_PASSWORD": ADMIN_PASSWORD}
    )

    assert result.error_code() == "validation_failed"
    assert not served.pearl.credentials_file.exists()


def test_an_unreachable_server_is_a_clean_error(served: Served) -> None:
    closed = served.base.rsplit(":", 1)[0] + ":9"  # discard port: nothing listens

    result = served.pearl(
        "login", "--server", closed, "--email", ADMIN, env={"PEARL_PASSWORD": ADMIN_PASSWORD}
    )

    assert result.error_code() == "configuration_error"
