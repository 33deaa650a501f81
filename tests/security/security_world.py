"""The world the security suite attacks: two orgs seeded through PeaRL's library on one
SQLite file, a real ``pearl serve`` subprocess over it, and a fake identity provider.

Everything here talks to 127.0.0.1 only. Seeding goes through the public
services (``bootstrap_admin``, ``create_user``, ``create_service_account``,
``create_api_key``, ingest of the example app's committed Semgrep report,
``generate_remediation_specs``, claims and approval requests), so the server
under attack serves exactly what a real deployment would hold.

Each org (``org_alpha``, ``org_beta``) has:

- an admin, a reviewer and an operator (humans who sign in with a password),
- ``revop``, a human holding reviewer *and* operator (to prove a reviewer never
  decides a request they made, nor one their own agent made),
- ``agent``, a service account owned by the operator, with a full key, a key
  scoped to ``packets:read``, a revoked key and an expired key,
- ``revop_bot``, a service account owned by ``revop``,
- findings, signed task packets (three claimed), four pending approval requests
  and one pending exception.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from security_idp import IdentityProvider, KeyServer

from pearl_core import (
    ApplicationSpec,
    AuditEvent,
    DecisionRecord,
    Environment,
    ExceptionRequest,
    Finding,
    IngestRequest,
    NewProject,
    Pearl,
    Permission,
    PolicyEngine,
    Principal,
    Role,
    Settings,
    authenticate_password,
    bootstrap,
    bootstrap_admin,
    claim_task_packet,
    compile_project_context,
    create_api_key,
    create_project,
    create_service_account,
    create_user,
    generate_remediation_specs,
    get_approval,
    ingest_report,
    list_audit_events,
    list_exceptions,
    list_findings,
    put_app_spec,
    read_default_policies,
    request_approval,
    request_exception,
    resolve_api_key,
    revoke_api_key,
    seed_defaults,
)
from pearl_core.testing import FakeClock

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
SARIF = APP / "scans" / "semgrep.sarif"
PEARL = str(Path(sys.executable).parent / "pearl")
DEV = Environment.DEV
ORGS = ("org_alpha", "org_beta")
PASSWORD = "correct horse battery staple"
COMMIT = {"type": "git_commit", "command": "git commit -m 'Fix the finding'"}
EDIT = {"type": "file_write", "path": "app/shell.py"}
STARTUP_TIMEOUT_S = 60.0
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_HEX = "0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def neighbour_id(real: str) -> str:
    """``real`` with its last character changed within its own alphabet: the guess an
    attacker makes first."""
    body = real.rpartition("_")[2]
    alphabet = _HEX if all(c in _HEX for c in body) else _ID_ALPHABET
    swapped = alphabet[(alphabet.index(real[-1]) + 1) % len(alphabet)]
    return real[:-1] + swapped


# -- seeding ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    principal: Principal
    email: str
    password: str = field(default=PASSWORD, repr=False)

    @property
    def subject_id(self) -> str:
        return self.principal.subject_id


@dataclass(frozen=True)
class Agent:
    principal: Principal
    key: str = field(repr=False)

    @property
    def subject_id(self) -> str:
        return self.principal.subject_id


@dataclass(frozen=True)
class OrgWorld:
    """What seeding made in one org."""

    org_id: str
    project_id: str
    admin: Person
    reviewer: Person
    operator: Person
    revop: Person
    victim: Person
    agent: Agent
    revop_bot: Agent
    scoped_key: str = field(repr=False)
    revoked_key: str = field(repr=False)
    expired_key: str = field(repr=False)
    finding_ids: tuple[str, ...]
    packet_ids: tuple[str, ...]
    agent_packet_id: str
    revop_packet_id: str
    bot_packet_id: str
    free_packet_ids: tuple[str, ...]
    agent_approval_id: str
    spare_approval_id: str
    revop_approval_id: str
    bot_approval_id: str
    exception_id: str
    package_id: str


def settings_env(
    *,
    database_url: str,
    data_dir: Path,
    pepper: str,
    public_url: str,
    issuers: str,
) -> dict[str, str]:
    return {
        "PEARL_DATABASE_URL": database_url,
        "PEARL_DATA_DIR": str(data_dir),
        "PEARL_API_KEY_PEPPER": pepper,
        "PEARL_PUBLIC_URL": public_url,
        "PEARL_OIDC_ISSUERS": issuers,
        "PEARL_ORG_ID": "org_alpha",
        "PEARL_LOG_FORMAT": "json",
        "PEARL_LOG_LEVEL": "info",
    }


async def _person(
    pearl: Pearl, admin: Principal, org_id: str, name: str, roles: list[Role]
) -> Person:
    email = f"{name}@{org_id.removeprefix('org_')}.test"
    await create_user(pearl.unit_of_work(admin), email, name, roles, PASSWORD, clock=pearl.clock)
    return Person(await _sign_in(pearl, email, org_id), email)


async def _sign_in(pearl: Pearl, email: str, org_id: str) -> Principal:
    return await authenticate_password(pearl.store.credentials, email, PASSWORD, org_id=org_id)


async def _agent(
    pearl: Pearl, owner: Principal, name: str, *, scopes: tuple[Permission, ...] = ()
) -> tuple[str, Agent]:
    account = await create_service_account(pearl.unit_of_work(owner), name, clock=pearl.clock)
    key = await _key(pearl, owner, account.service_account_id, "main", scopes=scopes)
    principal = await resolve_api_key(
        pearl.store.credentials, key, pepper=_pepper(pearl), clock=pearl.clock
    )
    assert principal is not None
    return account.service_account_id, Agent(principal, key)


def _pepper(pearl: Pearl) -> bytes:
    pepper = pearl.settings.api_key_pepper
    assert pepper is not None
    return pepper


async def _key(
    pearl: Pearl,
    owner: Principal,
    account_id: str,
    name: str,
    *,
    scopes: tuple[Permission, ...] = (),
    clock: FakeClock | None = None,
    expires_in: timedelta = timedelta(days=30),
) -> str:
    _, shown = await create_api_key(
        pearl.unit_of_work(owner),
        account_id,
        name=name,
        scopes=list(scopes),
        expires_in=expires_in,
        pepper=_pepper(pearl),
        clock=clock or pearl.clock,
    )
    return shown


async def _approval(
    pearl: Pearl, engine: PolicyEngine, who: Principal, packet_id: str, action: dict[str, Any]
) -> str:
    requested = await request_approval(
        pearl.unit_of_work(who),
        engine,
        packet_id,
        action,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=timedelta(hours=12),
    )
    return requested.approval_request_id


async def _claim(pearl: Pearl, who: Principal, packet_id: str) -> None:
    await claim_task_packet(
        pearl.unit_of_work(who), packet_id, clock=pearl.clock, lease_ttl=timedelta(hours=12)
    )


async def seed_org(pearl: Pearl, engine: PolicyEngine, org_id: str) -> OrgWorld:
    """One org, seeded as the module docstring describes."""
    short = org_id.removeprefix("org_")
    admin_user = await bootstrap_admin(
        pearl.store,
        org_id=org_id,
        org_name=f"Org {short}",
        email=f"admin@{short}.test",
        display_name="admin",
        password=PASSWORD,
        clock=pearl.clock,
    )
    await seed_defaults(
        pearl.unit_of_work(Principal.system(org_id)),
        read_default_policies(pearl.settings.policies_dir),
        org_name=f"Org {short}",
        clock=pearl.clock,
    )
    admin = Person(await _sign_in(pearl, admin_user.email, org_id), admin_user.email)
    reviewer = await _person(pearl, admin.principal, org_id, "reviewer", [Role.REVIEWER])
    operator = await _person(pearl, admin.principal, org_id, "operator", [Role.OPERATOR])
    revop = await _person(pearl, admin.principal, org_id, "revop", [Role.REVIEWER, Role.OPERATOR])
    victim = await _person(pearl, admin.principal, org_id, "victim", [Role.VIEWER])

    agent_id, agent = await _agent(pearl, operator.principal, "fixer-bot")
    _, revop_bot = await _agent(pearl, revop.principal, "revop-bot")
    scoped_key = await _key(
        pearl, operator.principal, agent_id, "read-only", scopes=(Permission.PACKETS_READ,)
    )
    revoked_key = await _key(pearl, operator.principal, agent_id, "revoked")
    revoked_id = revoked_key.split("_")[1]
    await revoke_api_key(pearl.unit_of_work(operator.principal), revoked_id, clock=pearl.clock)
    long_ago = FakeClock(datetime.now(UTC) - timedelta(days=10))
    expired_key = await _key(
        pearl,
        operator.principal,
        agent_id,
        "expired",
        clock=long_ago,
        expires_in=timedelta(days=1),
    )

    project_id = f"proj_{short}_orders"
    await create_project(
        pearl.unit_of_work(operator.principal),
        NewProject(name=f"Orders of {short}", project_id=project_id),
        clock=pearl.clock,
    )
    spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
    await put_app_spec(pearl.unit_of_work(admin.principal), project_id, spec, "the app spec")
    package = await compile_project_context(
        pearl.unit_of_work(operator.principal),
        project_id,
        DEV,
        clock=pearl.clock,
        signer=pearl.signer,
        bundle_hash=engine.bundle_hash,
    )
    await ingest_report(
        pearl.unit_of_work(operator.principal),
        IngestRequest(project_id=project_id, environment=DEV, source_name="semgrep.sarif"),
        io.BytesIO(SARIF.read_bytes()),
        clock=pearl.clock,
        limits=pearl.ingest_limits,
    )
    generated = await generate_remediation_specs(
        pearl.unit_of_work(operator.principal),
        engine,
        project_id,
        DEV,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        signer=pearl.signer,
        packet_ttl=timedelta(days=1),
    )
    packets = [p.task_packet_id for p in generated.packets]
    shell = next(p.task_packet_id for p in generated.packets if "app/shell.py" in p.allowed_paths)
    others = [p for p in packets if p != shell]
    revop_packet, bot_packet, free = others[0], others[1], tuple(others[2:])
    await _claim(pearl, agent.principal, shell)
    await _claim(pearl, revop.principal, revop_packet)
    await _claim(pearl, revop_bot.principal, bot_packet)
    spare_action = {**COMMIT, "command": "git commit -m 'Another fix'"}
    agent_approval = await _approval(pearl, engine, agent.principal, shell, COMMIT)
    spare_approval = await _approval(pearl, engine, agent.principal, shell, spare_action)
    revop_approval = await _approval(pearl, engine, revop.principal, revop_packet, COMMIT)
    bot_approval = await _approval(pearl, engine, revop_bot.principal, bot_packet, COMMIT)
    exception = await request_exception(
        pearl.unit_of_work(agent.principal),
        ExceptionRequest(
            project_id=project_id,
            rationale="the agent asks to waive the shell finding",
            expires_at=datetime.now(UTC) + timedelta(days=7),
        ),
        clock=pearl.clock,
    )
    findings = await list_findings(pearl.unit_of_work(operator.principal), limit=1000)
    return OrgWorld(
        org_id=org_id,
        project_id=project_id,
        admin=admin,
        reviewer=reviewer,
        operator=operator,
        revop=revop,
        victim=victim,
        agent=agent,
        revop_bot=revop_bot,
        scoped_key=scoped_key,
        revoked_key=revoked_key,
        expired_key=expired_key,
        finding_ids=tuple(f.finding_id for f in findings),
        packet_ids=tuple(packets),
        agent_packet_id=shell,
        revop_packet_id=revop_packet,
        bot_packet_id=bot_packet,
        free_packet_ids=free,
        agent_approval_id=agent_approval,
        spare_approval_id=spare_approval,
        revop_approval_id=revop_approval,
        bot_approval_id=bot_approval,
        exception_id=exception.exception_id,
        package_id=package.package_id,
    )


async def seed(env: Mapping[str, str]) -> dict[str, OrgWorld]:
    """A fresh database at ``env``'s URL, migrated, with both orgs seeded."""
    pearl = bootstrap(Settings.from_env(dict(env)), configure_logs=False)
    try:
        await pearl.upgrade_database()
        engine = pearl.policy_engine()
        return {org_id: await seed_org(pearl, engine, org_id) for org_id in ORGS}
    finally:
        await pearl.aclose()


# -- the server --------------------------------------------------------------------


@dataclass
class ServerProcess:
    """``pearl serve`` as a subprocess, its stdout and stderr captured to files."""

    process: subprocess.Popen[bytes]
    base: str
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(env: Mapping[str, str], port: int, log_dir: Path) -> ServerProcess:
    """Start ``pearl serve`` on 127.0.0.1:``port`` and wait for ``/healthz``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEARL_")}
    environ.update(env)
    environ["PYTHONUNBUFFERED"] = "1"
    stdout, stderr = log_dir / "server.stdout", log_dir / "server.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - fixed argv of the venv's own pearl
            [PEARL, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environ,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", stdout, stderr)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx2.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"pearl serve exited {process.returncode}:\n{server.logs()}")
            try:
                if client.get(f"{server.base}/healthz").status_code == 200:
                    return server
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"pearl serve did not answer /healthz in time:\n{server.logs()}")


@dataclass
class World:
    base: str
    env: dict[str, str]
    alpha: OrgWorld
    beta: OrgWorld
    server: ServerProcess
    idp: IdentityProvider
    attacker: KeyServer
    data_dir: Path

    @property
    def orgs(self) -> dict[str, OrgWorld]:
        return {self.alpha.org_id: self.alpha, self.beta.org_id: self.beta}

    @property
    def mcp_url(self) -> str:
        return f"{self.base}/mcp"


# -- what the suite reads back through the library ---------------------------------


@dataclass
class Reader:
    """The store of the server's database, read through PeaRL's services as each org's admin."""

    pearl: Pearl
    orgs: Mapping[str, OrgWorld]

    def _admin(self, org_id: str) -> Principal:
        return self.orgs[org_id].admin.principal

    async def heads(self) -> dict[str, int]:
        """The last audit sequence number of every org."""
        return {org_id: await self._last_seq(org_id) for org_id in self.orgs}

    async def _last_seq(self, org_id: str) -> int:
        events = await self.audit(org_id)
        return events[-1].seq if events else 0

    async def audit(self, org_id: str, *, after_seq: int = 0) -> list[AuditEvent]:
        return await list_audit_events(
            self.pearl.unit_of_work(self._admin(org_id)), after_seq=after_seq, limit=1_000_000
        )

    async def audit_since(self, marks: Mapping[str, int]) -> list[AuditEvent]:
        """Every event recorded in any org after ``marks`` (from :meth:`heads`)."""
        events: list[AuditEvent] = []
        for org_id, seq in marks.items():
            events.extend(await self.audit(org_id, after_seq=seq))
        return events

    async def findings(self, org_id: str) -> dict[str, Finding]:
        found = await list_findings(
            self.pearl.unit_of_work(self.orgs[org_id].operator.principal), limit=1000
        )
        return {f.finding_id: f for f in found}

    async def approval_status(self, org_id: str, approval_request_id: str) -> str:
        view = await get_approval(
            self.pearl.unit_of_work(self.orgs[org_id].reviewer.principal), approval_request_id
        )
        return view.request.status.value

    async def exception_statuses(self, org_id: str) -> dict[str, str]:
        records = await list_exceptions(self.pearl.unit_of_work(self._admin(org_id)))
        return {r.exception_id: r.status.value for r in records}

    async def decision_records(self, org_id: str) -> list[DecisionRecord]:
        uow = self.pearl.unit_of_work(self._admin(org_id))
        async with uow:
            return [
                record async for record in uow.decisions.since(datetime(2000, 1, 1, tzinfo=UTC))
            ]


@asynccontextmanager
async def reading(env: Mapping[str, str], orgs: Mapping[str, OrgWorld]) -> AsyncIterator[Reader]:
    pearl = bootstrap(Settings.from_env(dict(env)), configure_logs=False)
    try:
        yield Reader(pearl, orgs)
    finally:
        await pearl.aclose()
