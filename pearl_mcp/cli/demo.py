"""``pearl init`` (set up an org and show what PeaRL holds) and ``pearl demo`` (the whole loop)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import anyio
import click

from pearl_core import (
    ChainReport,
    OrgStatus,
    Pearl,
    SeedResult,
    Settings,
    describe_org,
    local_operator,
    read_default_policies,
    seed_defaults,
    verify_audit_chain,
)
from pearl_mcp.cli.app import CliContext, cli, emit, json_option, run
from pearl_mcp.cli.permissions import public


@dataclass(frozen=True, slots=True)
class _Setup:
    database: str
    seed: SeedResult
    status: OrgStatus
    chain: ChainReport


async def _set_up(pearl: Pearl, org_name: str) -> _Setup:
    policies = read_default_policies(pearl.settings.policies_dir)
    await pearl.upgrade_database()
    seed = await seed_defaults(
        pearl.unit_of_work(pearl.system_principal()), policies, org_name=org_name, clock=pearl.clock
    )
    operator = local_operator(pearl.settings)
    status = await describe_org(pearl.unit_of_work(operator))
    chain = await verify_audit_chain(pearl.unit_of_work(operator))
    return _Setup(pearl.settings.store.redacted_url, seed, status, chain)


def _as_dict(setup: _Setup) -> dict[str, object]:
    status = setup.status
    return {
        "database": setup.database,
        "org": {
            "org_id": status.org.org_id,
            "name": status.org.name,
            "created": setup.seed.org_created,
        },
        "created": list(setup.seed.created),
        "kept": list(setup.seed.kept),
        "baseline": status.baseline.baseline_id if status.baseline else None,
        "environment_profiles": {
            str(p.environment): {"profile_id": p.profile_id, "autonomy_mode": str(p.autonomy_mode)}
            for p in status.profiles
        },
        "projects": status.project_count,
        "audit": {"events": setup.chain.checked, "intact": setup.chain.ok},
    }


def _render(setup: _Setup) -> str:
    status = setup.status
    lines = [
        f"PeaRL  database  {setup.database}",
        f"       org       {status.org.org_id} ({status.org.name})"
        + ("  [created]" if setup.seed.org_created else ""),
        f"       baseline  {status.baseline.baseline_id if status.baseline else '-'}",
        "       environment profiles:",
    ]
    for profile in sorted(status.profiles, key=lambda p: p.risk_level.rank):
        mark = "new " if profile.profile_id in setup.seed.created else "kept"
        lines.append(
            f"         {mark}  {profile.environment:<8} {profile.profile_id:<24} "
            f"risk={profile.risk_level:<9} autonomy={profile.autonomy_mode}"
        )
    verdict = "intact" if setup.chain.ok else f"BROKEN at seq {setup.chain.first_broken_seq}"
    lines += [
        f"       projects  {status.project_count}",
        f"       audit     {setup.chain.checked} event(s), chain {verdict}",
    ]
    return "\n".join(lines)


@cli.command("init")
@public("creates the org itself, as PeaRL's system principal: database access is the authority")
@click.option("--org-name", default="PeaRL default org", show_default=True)
@json_option
@click.pass_context
def init(ctx: click.Context, org_name: str, as_json: bool) -> None:
    """Migrate the database and load the default org, baseline and profiles."""
    setup = run(ctx, lambda pearl: _set_up(pearl, org_name))
    emit(_as_dict(setup), as_json=as_json, text=lambda: _render(setup))


def _workspace(settings: Settings, explicit: Path | None) -> Path:
    """Where the demo copies the example app: beside an embedded database, else a temp dir."""
    if explicit is not None:
        return explicit
    url = settings.store.database_url
    if url.startswith("sqlite") and ":///" in url:
        return Path(url.split(":///", 1)[1]).expanduser().resolve().parent / "workspace"
    return Path(tempfile.mkdtemp(prefix="pearl-demo-")) / "workspace"


@cli.command("demo")
@public("runs its own org, people and agent in process on a fresh database")
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to copy the example app (default: beside the SQLite database).",
)
@json_option
@click.pass_context
def demo(ctx: click.Context, workspace: Path | None, as_json: bool) -> None:
    """Run PeaRL's main job: scan, plan, let an agent fix over MCP, verify by rescan.

    Use a fresh database (./scripts/demo makes one): the demo registers its own
    org, people and project.
    """
    from pearl_mcp.demo.run import run_demo  # the MCP stack, only for this command

    settings = ctx.ensure_object(CliContext).settings
    result = anyio.run(
        lambda: run_demo(settings, workspace=_workspace(settings, workspace), quiet=as_json)
    )
    if as_json:
        emit(result.to_dict(), as_json=True, text="")
