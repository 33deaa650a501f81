"""``pearl packets``, ``pearl check-action`` and ``pearl outcome``: work a task packet.

The CLI acts as the local operator (see ``pearl_core.local_operator``), so a
packet claimed here is held by ``local:<os user>``. ``pearl check-action``
is meant as an agent's pre-tool hook: it prints the decision and exits 0 on
allow, 3 on deny and 4 on needs_approval (1 on any error, like every command).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from pearl_core import (
    GuardResult,
    Pearl,
    TaskPacket,
    TaskPacketStatus,
    check_action,
    claim_task_packet,
    get_task_packet,
    heartbeat_task_packet,
    list_task_packets,
    local_operator,
    release_task_packet,
    report_outcome,
)
from pearl_mcp.cli.app import cli, emit, json_object, json_option, run
from pearl_mcp.cli.permissions import Permission, requires

EXIT_DENY = 3
EXIT_NEEDS_APPROVAL = 4
_EXIT = {"allow": 0, "deny": EXIT_DENY, "needs_approval": EXIT_NEEDS_APPROVAL}


def _line(p: TaskPacket) -> str:
    holder = p.lease.holder_id if p.lease else "-"
    return (
        f"{p.task_packet_id}  {p.status.value:<9} {p.environment.value:<7} "
        f"{len(p.finding_refs)} finding(s)  holder {holder}  {p.task_summary[:60]}"
    )


def _detail(p: TaskPacket) -> str:
    lease = p.lease
    rows = [
        ("packet", p.task_packet_id),
        ("status", p.status.value),
        ("project", f"{p.project_id}/{p.environment.value}"),
        ("summary", p.task_summary),
        ("findings", ", ".join(p.finding_refs) or "-"),
        ("actions", ", ".join(p.allowed_actions) or "-"),
        ("blocked", ", ".join(p.blocked_actions) or "-"),
        ("paths", ", ".join(p.allowed_paths) or "-"),
        ("commands", ", ".join(p.allowed_commands) or "-"),
        ("packages", ", ".join(p.allowed_packages) or "-"),
        ("tests", ", ".join(p.required_tests) or "-"),
        ("evidence", ", ".join(p.evidence_required) or "-"),
        ("approvals", ", ".join(p.approval_triggers) or "-"),
        ("expires", f"{p.expires_at:%Y-%m-%dT%H:%M:%SZ}" if p.expires_at else "-"),
        ("lease", f"{lease.holder_id} until {lease.expires_at:%H:%M:%SZ}" if lease else "-"),
        ("denied", str(p.denied_attempts)),
        ("signed", "yes" if p.integrity and p.integrity.signed else "no"),
    ]
    return "\n".join(f"{name:<10} {value}" for name, value in rows)


def _packet_dict(packet: TaskPacket) -> dict[str, Any]:
    return packet.model_dump(mode="json", exclude_none=True)


@cli.group()
def packets() -> None:
    """List, show, claim and release task packets."""


@packets.command("list")
@requires(Permission.PACKETS_READ)
@click.option("--project", "project_id", default=None, help="Only this project (proj_...).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in TaskPacketStatus]),
    help="Only these statuses (repeatable).",
)
@json_option
@click.pass_context
def list_(
    ctx: click.Context, project_id: str | None, statuses: tuple[str, ...], as_json: bool
) -> None:
    """List task packets, oldest first."""

    async def work(pearl: Pearl) -> list[TaskPacket]:
        return await list_task_packets(
            pearl.unit_of_work(local_operator(pearl.settings)),
            project_id=project_id,
            statuses=[TaskPacketStatus(s) for s in statuses] or None,
        )

    found = run(ctx, work)
    emit(
        [_packet_dict(p) for p in found],
        as_json=as_json,
        text=lambda: "\n".join(_line(p) for p in found) or "no task packets",
    )


@packets.command("show")
@requires(Permission.PACKETS_READ)
@click.argument("task_packet_id")
@json_option
@click.pass_context
def show(ctx: click.Context, task_packet_id: str, as_json: bool) -> None:
    """Show one task packet."""

    async def work(pearl: Pearl) -> TaskPacket:
        return await get_task_packet(
            pearl.unit_of_work(local_operator(pearl.settings)), task_packet_id
        )

    packet = run(ctx, work)
    emit(_packet_dict(packet), as_json=as_json, text=lambda: _detail(packet))


@packets.command("claim")
@requires(Permission.PACKETS_WORK)
@click.argument("task_packet_id")
@json_option
@click.pass_context
def claim(ctx: click.Context, task_packet_id: str, as_json: bool) -> None:
    """Claim a packet (a lease; renew it with ``heartbeat``)."""

    async def work(pearl: Pearl) -> TaskPacket:
        return await claim_task_packet(
            pearl.unit_of_work(local_operator(pearl.settings)),
            task_packet_id,
            clock=pearl.clock,
            lease_ttl=pearl.settings.work.lease_ttl,
        )

    packet = run(ctx, work)
    emit(_packet_dict(packet), as_json=as_json, text=lambda: _detail(packet))


@packets.command("heartbeat")
@requires(Permission.PACKETS_WORK)
@click.argument("task_packet_id")
@json_option
@click.pass_context
def heartbeat(ctx: click.Context, task_packet_id: str, as_json: bool) -> None:
    """Extend your lease on a packet."""

    async def work(pearl: Pearl) -> TaskPacket:
        return await heartbeat_task_packet(
            pearl.unit_of_work(local_operator(pearl.settings)),
            task_packet_id,
            clock=pearl.clock,
            lease_ttl=pearl.settings.work.lease_ttl,
        )

    packet = run(ctx, work)
    emit(_packet_dict(packet), as_json=as_json, text=lambda: _line(packet))


@packets.command("release")
@requires(Permission.PACKETS_WORK)
@click.argument("task_packet_id")
@click.option("--reason", default=None, help="Why you give it back.")
@json_option
@click.pass_context
def release(ctx: click.Context, task_packet_id: str, reason: str | None, as_json: bool) -> None:
    """Give a packet you hold back."""

    async def work(pearl: Pearl) -> TaskPacket:
        return await release_task_packet(
            pearl.unit_of_work(local_operator(pearl.settings)),
            task_packet_id,
            clock=pearl.clock,
            reason=reason,
        )

    packet = run(ctx, work)
    emit(_packet_dict(packet), as_json=as_json, text=lambda: _line(packet))


def _verdict(result: GuardResult) -> str:
    lines = [f"{result.decision}  {result.task_packet_id}  {result.decision_id}"]
    for reason in result.reasons:
        code = f" ({reason['code']})" if reason.get("code") else ""
        lines.append(f"  - {reason['rule_id']}{code}: {reason['message']}")
        if reason.get("hint"):
            lines.append(f"    hint: {reason['hint']}")
    if result.decision == "needs_approval":
        lines.append(f"  ask for approval of digest {result.action_digest}")
    if result.lease_revoked:
        lines.append("  the lease was revoked after repeated denials")
    return "\n".join(lines)


@cli.command("check-action")
@requires(Permission.PACKETS_WORK)
@click.option("--packet", "task_packet_id", required=True, help="The task packet (tp_...).")
@click.option("--action", "action_json", default=None, help="The action as JSON (default: stdin).")
@json_option
@click.pass_context
def check_action_command(
    ctx: click.Context, task_packet_id: str, action_json: str | None, as_json: bool
) -> None:
    """Judge one action under a packet: exit 0 allow, 3 deny, 4 needs approval."""
    action = json_object(
        action_json if action_json is not None else sys.stdin.read(), field="action"
    )

    async def work(pearl: Pearl) -> GuardResult:
        return await check_action(
            pearl.unit_of_work(local_operator(pearl.settings)),
            pearl.policy_engine(),
            task_packet_id,
            action,
            clock=pearl.clock,
            mask=pearl.decision_mask,
            max_denied_attempts=pearl.settings.work.max_denied_attempts,
        )

    result = run(ctx, work)
    emit(result.to_dict(), as_json=as_json, text=lambda: _verdict(result))
    ctx.exit(_EXIT.get(result.decision, EXIT_DENY))


@cli.group()
def outcome() -> None:
    """Report the outcome of a packet you hold."""


@outcome.command("report")
@requires(Permission.PACKETS_WORK)
@click.option("--packet", "task_packet_id", required=True, help="The task packet (tp_...).")
@click.option("--report", "report_json", default=None, help="The report as JSON (default: stdin).")
@json_option
@click.pass_context
def report(ctx: click.Context, task_packet_id: str, report_json: str | None, as_json: bool) -> None:
    """Report fixed | partial | failed | not_reproducible with the evidence the packet requires."""
    body = json_object(report_json if report_json is not None else sys.stdin.read(), field="report")

    async def work(pearl: Pearl) -> TaskPacket:
        return await report_outcome(
            pearl.unit_of_work(local_operator(pearl.settings)),
            task_packet_id,
            body,
            clock=pearl.clock,
        )

    packet = run(ctx, work)
    emit(_packet_dict(packet), as_json=as_json, text=lambda: _line(packet))
