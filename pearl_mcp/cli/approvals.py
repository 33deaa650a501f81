"""``pearl approvals``: list, show, request and decide approval requests.

Deciding needs a human principal with the reviewer role who did not ask. The
CLI's local operator (the OS user on an embedded database) holds only the
operator role, so ``decide`` refuses with ``forbidden`` unless a reviewer signs
in: file access to the database never makes anyone a reviewer. A reviewer
decides as themself with ``--user EMAIL`` (embedded database, password from
``PEARL_PASSWORD`` or a prompt), or through a server with ``--server [URL]``
as the human of ``pearl login`` (a fresh access token each time).
"""

from __future__ import annotations

import json
import sys
from typing import Final, Literal

import click

from pearl_core import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalView,
    Pearl,
    Principal,
    ValidationFailed,
    decide_approval,
    get_approval,
    list_approvals,
    local_operator,
    parse_json,
    request_approval,
)
from pearl_mcp.cli.acting import PASSWORD_ENV, Actor, actor_option, read_secret, run_as
from pearl_mcp.cli.app import cli, emit, json_object, json_option, run
from pearl_mcp.cli.login import login_file
from pearl_mcp.cli.permissions import Permission, requires
from pearl_mcp.cli.remote import path_segment, signed_in_afresh, stored_login

_STORED_SERVER: Final = ""
"""``--server`` given without a URL: the server of the stored login."""


def _line(r: ApprovalRequest) -> str:
    return (
        f"{r.approval_request_id}  {r.status.value:<8} {r.trigger:<22} "
        f"packet {r.task_packet_id or '-'}  by {r.requested_by}"
    )


def _detail(view: ApprovalView) -> str:
    r, d = view.request, view.decision
    rows = [
        ("request", r.approval_request_id),
        ("status", r.status.value),
        ("type", r.request_type.value),
        ("trigger", r.trigger),
        ("project", f"{r.project_id}/{r.environment.value}"),
        ("packet", r.task_packet_id or "-"),
        ("action", "-" if r.action is None else str(r.action)),
        ("by", r.requested_by),
        ("created", f"{r.created_at:%Y-%m-%dT%H:%M:%SZ}"),
        ("expires", f"{r.expires_at:%Y-%m-%dT%H:%M:%SZ}" if r.expires_at else "-"),
    ]
    if d is not None:
        rows += [
            ("decision", d.decision.value),
            ("decided by", f"{d.decided_by} ({d.decider_role})"),
            ("reason", d.reason or "-"),
        ]
    return "\n".join(f"{name:<10} {value}" for name, value in rows)


@cli.group()
def approvals() -> None:
    """List, show, request and decide approvals."""


@approvals.command("list")
@requires(Permission.APPROVALS_READ)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in ApprovalStatus]),
    help="Only these statuses (repeatable).",
)
@json_option
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], as_json: bool) -> None:
    """List approval requests, oldest first."""

    async def work(pearl: Pearl) -> list[ApprovalRequest]:
        return await list_approvals(
            pearl.unit_of_work(local_operator(pearl.settings)),
            statuses=[ApprovalStatus(s) for s in statuses] or None,
        )

    found = run(ctx, work)
    emit(
        [r.model_dump(mode="json", exclude_none=True) for r in found],
        as_json=as_json,
        text=lambda: "\n".join(_line(r) for r in found) or "no approval requests",
    )


@approvals.command("show")
@requires(Permission.APPROVALS_READ)
@click.argument("approval_request_id")
@json_option
@click.pass_context
def show(ctx: click.Context, approval_request_id: str, as_json: bool) -> None:
    """Show a request and its decision."""

    async def work(pearl: Pearl) -> ApprovalView:
        return await get_approval(
            pearl.unit_of_work(local_operator(pearl.settings)), approval_request_id
        )

    view = run(ctx, work)
    emit(view.to_dict(), as_json=as_json, text=lambda: _detail(view))


@approvals.command("request")
@requires(Permission.APPROVALS_REQUEST)
@click.option("--packet", "task_packet_id", required=True, help="The task packet (tp_...).")
@click.option("--action", "action_json", default=None, help="The action as JSON (default: stdin).")
@json_option
@click.pass_context
def request(
    ctx: click.Context, task_packet_id: str, action_json: str | None, as_json: bool
) -> None:
    """Ask for approval of an action the guard rails answered needs_approval for."""
    text = action_json if action_json is not None else sys.stdin.read()
    action = json_object(text, field="action")

    async def work(pearl: Pearl) -> ApprovalRequest:
        return await request_approval(
            pearl.unit_of_work(local_operator(pearl.settings)),
            pearl.policy_engine(),
            task_packet_id,
            action,
            clock=pearl.clock,
            mask=pearl.decision_mask,
            ttl=pearl.settings.work.approval_ttl,
        )

    created = run(ctx, work)
    emit(created.model_dump(mode="json", exclude_none=True), as_json=as_json, text=_line(created))


@approvals.command("decide")
@requires(Permission.APPROVALS_DECIDE)
@click.argument("approval_request_id")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--reason", required=True, help="Why (recorded with the decision).")
@actor_option
@click.option(
    "--server",
    is_flag=False,
    flag_value=_STORED_SERVER,
    default=None,
    metavar="[URL]",
    help="Decide through a PeaRL server as the human of pearl login (no URL: its server).",
)
@json_option
@click.pass_context
def decide(
    ctx: click.Context,
    approval_request_id: str,
    decision: str,
    reason: str,
    actor: Actor,
    server: str | None,
    as_json: bool,
) -> None:
    """Approve or reject a pending request (human reviewers only: --user or --server)."""
    verdict: Literal["approve", "reject"] = "approve" if decision == "approve" else "reject"
    if server is not None:
        if not actor.is_local_operator:
            raise ValidationFailed(
                "--user and --server exclude each other: through a server you act as "
                "the human of pearl login",
                field="--user",
            )
        view = _decide_through(ctx, server or None, approval_request_id, verdict, reason)
    else:

        async def work(pearl: Pearl, principal: Principal) -> ApprovalView:
            return await decide_approval(
                pearl.unit_of_work(principal),
                approval_request_id,
                verdict,
                reason=reason,
                clock=pearl.clock,
            )

        view = run_as(ctx, actor, work)
    emit(view.to_dict(), as_json=as_json, text=lambda: _detail(view))


def _decide_through(
    ctx: click.Context, server: str | None, approval_request_id: str, verdict: str, reason: str
) -> ApprovalView:
    """Decide with ``POST /approvals/{id}/decide`` and read the request back."""
    path = f"/approvals/{path_segment(approval_request_id)}"
    stored = stored_login(login_file(ctx), server)
    password = read_secret(
        ctx, PASSWORD_ENV, f"Password for {stored.email} (deciding signs in again)"
    )
    with signed_in_afresh(login_file(ctx), server, password) as api:
        api.post(f"{path}/decide", {"decision": verdict, "reason": reason})
        shown = api.get(path)
    decision = shown.get("decision")  # JSON again: the models are strict about Python input
    return ApprovalView(
        request=parse_json(ApprovalRequest, json.dumps(shown.get("request"))),
        decision=None if decision is None else parse_json(ApprovalDecision, json.dumps(decision)),
    )
