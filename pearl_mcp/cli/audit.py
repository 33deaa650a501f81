"""``pearl audit``: read and verify the tamper-evident audit log."""

from __future__ import annotations

import sys

import click

from pearl_core import (
    AuditEvent,
    ChainReport,
    Pearl,
    list_audit_events,
    local_operator,
    verify_audit_chain,
)
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires

EXIT_CHAIN_BROKEN = 2


@cli.group()
def audit() -> None:
    """Read and verify the audit log."""


@audit.command("verify")
@requires(Permission.AUDIT_READ)
@json_option
@click.pass_context
def verify(ctx: click.Context, as_json: bool) -> None:
    """Walk the hash chain; exit 2 and name the first broken event if it is broken."""

    async def work(pearl: Pearl) -> ChainReport:
        return await verify_audit_chain(pearl.unit_of_work(local_operator(pearl.settings)))

    report = run(ctx, work)
    if report.ok:
        text = f"audit chain intact: {report.checked} event(s) verified"
    else:
        text = (
            f"audit chain BROKEN at seq {report.first_broken_seq} ({report.reason}); "
            f"{report.checked} event(s) checked"
        )
    emit(
        {
            "ok": report.ok,
            "checked": report.checked,
            "first_broken_seq": report.first_broken_seq,
            "reason": report.reason,
        },
        as_json=as_json,
        text=text,
    )
    if not report.ok:
        sys.exit(EXIT_CHAIN_BROKEN)


@audit.command("list")
@requires(Permission.AUDIT_READ)
@click.option(
    "--after", "after_seq", default=0, type=click.IntRange(0), help="Start after this seq."
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@click.pass_context
def list_(ctx: click.Context, after_seq: int, limit: int, as_json: bool) -> None:
    """List audit events in chain order."""

    async def work(pearl: Pearl) -> list[AuditEvent]:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await list_audit_events(uow, after_seq=after_seq, limit=limit)

    events = run(ctx, work)
    emit(
        [e.model_dump(mode="json") for e in events],
        as_json=as_json,
        text=lambda: (
            "\n".join(
                f"{e.seq:>6}  {e.occurred_at:%Y-%m-%dT%H:%M:%SZ}  {e.actor_id:<24} {e.action:<34} "
                f"{e.resource_id}  {e.outcome}"
                for e in events
            )
            or "no audit events"
        ),
    )
