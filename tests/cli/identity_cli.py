"""Helpers for the identity CLI tests: ``pearl`` run in-process under click's
CliRunner isolation (its own environment and stdin per call, hidden prompts
fed from ``input``), on a real SQLite file; the first admin; a pending
approval; and the real server app served on 127.0.0.1 from a thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import uvicorn
from click.testing import CliRunner

from pearl_core import (
    ApplicationSpec,
    Pearl,
    Principal,
    Role,
    Settings,
    bootstrap,
    put_app_spec,
    resolve_api_key,
)
from pearl_core.testing import make_principal
from pearl_mcp.cli import main
from pearl_mcp.credentials import CredentialResolver
from pearl_mcp.http_app import build_http_app
from pearl_mcp.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
ORG = "org_identity"
PEPPER = "fake-cli-test-pepper-not-a-secret-0123"
ADMIN = "admin@example.com"
ADMIN_PASSWORD = "admin-password-not-a-secret"
REVIEWER = "reviewer@example.com"
REVIEWER_PASSWORD = "reviewer-password-not-a-secret"
OPERATOR = "operator@example.com"
OPERATOR_PASSWORD = "operator-password-not-a-secret"
PASSWORDS = {ADMIN: ADMIN_PASSWORD, REVIEWER: REVIEWER_PASSWORD, OPERATOR: OPERATOR_PASSWORD}
PROJECT = "proj_orders"

#: Variables a call sees only when it passes them (whatever the developer's shell has).
_UNSET = (
    "PEARL_PASSWORD",
    "PEARL_BOOTSTRAP_ADMIN_PASSWORD",
    "PEARL_NEW_USER_PASSWORD",
    "PEARL_PUBLIC_URL",
    "PEARL_API_KEY",
    "PEARL_TOKEN",
)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)

    def error_code(self) -> str:
        """The code of the one-line ``pearl: error [<code>] …`` on stderr."""
        assert self.code == 1, (self.out, self.err)
        line = self.err.strip().splitlines()[-1]
        assert line.startswith("pearl: error ["), line
        return line.split("[", 1)[1].split("]", 1)[0]

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Cli:
    """``pearl`` over one SQLite file and one config dir."""

    tmp_path: Path
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.env = {
            "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{self.tmp_path / 'pearl.db'}",
            "PEARL_DATA_DIR": str(self.tmp_path / "data"),
            "PEARL_ORG_ID": ORG,
            "PEARL_LOG_LEVEL": "error",
            "PEARL_SIGNING_KEY_FILE": str(self.tmp_path / "keys" / "signing-key.pem"),
            "PEARL_API_KEY_PEPPER": PEPPER,
            "PEARL_CONFIG_DIR": str(self.config_dir),
        }

    @property
    def config_dir(self) -> Path:
        return self.tmp_path / "config" / "pearl"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.json"

    def __call__(
        self, *argv: str, input: str | None = None, env: Mapping[str, str] | None = None
    ) -> Result:
        """Run ``pearl argv`` with ``env`` on top of the test environment."""
        overrides: dict[str, str | None] = dict.fromkeys(_UNSET)
        overrides.update(self.env)
        overrides.update(env or {})
        with CliRunner().isolation(input=input, env=overrides) as (out, err, _):
            try:
                main(list(argv))
                code = 0
            except SystemExit as exc:
                code = int(exc.code or 0)
            return Result(code, out.getvalue().decode(), err.getvalue().decode())

    def as_user(self, email: str, *argv: str, **extra: str) -> Result:
        """``pearl argv --user email`` with the user's password in ``PEARL_PASSWORD``."""
        return self(*argv, "--user", email, env={"PEARL_PASSWORD": PASSWORDS[email], **extra})

    def library(self, work: Any) -> Any:
        """``work(pearl)`` on the same database, through the library."""

        async def go() -> Any:
            app = bootstrap(Settings.from_env(self.env), configure_logs=False)
            try:
                return await work(app)
            finally:
                await app.aclose()

        return anyio.run(go)

    def resolve(self, key: str) -> Principal | None:
        """What a server makes of the API key ``key``."""

        async def work(app: Pearl) -> Principal | None:
            return await resolve_api_key(
                app.store.credentials, key, pepper=PEPPER.encode(), clock=app.clock
            )

        result: Principal | None = self.library(work)
        return result


def with_admin(cli: Cli) -> dict[str, Any]:
    """The org's first admin, bootstrapped from ``PEARL_BOOTSTRAP_ADMIN_PASSWORD``."""
    created: dict[str, Any] = cli(
        "admin",
        "bootstrap",
        "--email",
        ADMIN,
        "--json",
        env={"PEARL_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD},
    ).json()
    return created


def with_user(cli: Cli, email: str, *roles: str) -> dict[str, Any]:
    """A user created by the admin, with their password from ``PASSWORDS``."""
    role_args = [arg for role in roles for arg in ("--role", role)]
    created: dict[str, Any] = cli.as_user(
        ADMIN,
        "users",
        "create",
        email,
        *role_args,
        "--with-password",
        "--json",
        PEARL_NEW_USER_PASSWORD=PASSWORDS[email],
    ).json()
    return created


def pending_approval(cli: Cli) -> str:
    """An approval request the local operator asked for a git commit in a claimed packet."""
    assert cli("init").code == 0
    assert cli("projects", "create", "--name", "Orders", "--id", PROJECT).code == 0
    spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
    setup = make_principal(org_id=ORG, roles={Role.ADMIN})
    cli.library(lambda app: put_app_spec(app.unit_of_work(setup), PROJECT, spec, "example"))
    cli("context", "compile", "--project", PROJECT, "--env", "dev", "--json").json()
    sarif = str(APP / "scans" / "semgrep.sarif")
    cli("ingest", sarif, "--project", PROJECT, "--env", "dev", "--json").json()
    generated = cli("remediation", "generate", "--project", PROJECT, "--env", "dev", "--json")
    packet = next(p for p in generated.json()["packets"] if "app/shell.py" in p["allowed_paths"])
    cli("packets", "claim", packet["task_packet_id"], "--json").json()
    commit = json.dumps({"type": "git_commit", "command": "git commit -m fix"})
    request = cli(
        "approvals", "request", "--packet", packet["task_packet_id"], "--action", commit, "--json"
    ).json()
    return str(request["approval_request_id"])


@contextmanager
def serving(cli: Cli) -> Iterator[str]:
    """The real server app over ``cli``'s database, on 127.0.0.1, in a thread; its URL.

    The socket listens before the thread starts, so requests made at once wait in
    its backlog until uvicorn accepts them: nothing polls for readiness.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    runtime = Runtime.start(Settings.from_env(cli.env), configure_logs=False)
    issuer = runtime.pearl.token_issuer(base)
    app = build_http_app(
        runtime, CredentialResolver(runtime, issuer), public_url=base, issuer=issuer
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="on"))
    failures: list[BaseException] = []

    def serve() -> None:
        async def main() -> None:
            try:
                await server.serve(sockets=[listener])
            finally:
                await runtime.aclose()

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread, below
            failures.append(exc)

    thread = threading.Thread(target=serve, name="pearl-test-server", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
    assert not thread.is_alive(), "the test server did not stop"
    assert failures == []
