"""``pearl policy eval`` and ``pearl policy replay``: decisions and the decision log.

::

    echo '{"path": ".git/config"}' | pearl policy eval pearl.guardrails.decision
    pearl policy replay --since 24h
    pearl policy replay --since 2025-01-15T09:00:00Z --bundle ./candidate/rego

``eval`` decides on the embedded engine (the bundled ``rego/``, or
``--bundle``, with ``--data`` or ``PEARL_POLICIES_DIR``) and logs the decision.
``replay`` re-evaluates logged decisions on the current bundle, or on a
candidate given with ``--bundle``/``--data``, and prints what would change.
Both exit 0 whatever the outcome; non-zero only on an error.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from pearl_core import (
    DecisionRecord,
    Pearl,
    ReplayReport,
    evaluate_policy,
    local_operator,
    replay_decisions,
)
from pearl_mcp.cli.app import emit, json_object, json_option, run
from pearl_mcp.cli.permissions import Permission, requires
from pearl_mcp.cli.policy import policy

_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

_bundle_option = click.option(
    "--bundle",
    "rego_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Rego directory of the bundle (default: the bundled rego/).",
)
_data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Policy data directory (default: PEARL_POLICIES_DIR).",
)


def parse_since(value: str, now: datetime) -> datetime:
    """``24h``, ``30m``, ``7d``, ``2w``, ``90s`` before ``now``, or an ISO 8601
    time (UTC when it names no zone)."""
    duration = _DURATION.match(value.strip())
    if duration is not None:
        amount, unit = duration.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            "give an ISO 8601 time or a duration such as 24h, 30m, 7d", param_hint="--since"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@policy.command("eval")
@requires(Permission.POLICY_READ)
@click.argument("entrypoint")
@click.option("--input", "input_json", default=None, help="The input as JSON (default: stdin).")
@_bundle_option
@_data_option
@json_option
@click.pass_context
def eval_(
    ctx: click.Context,
    entrypoint: str,
    input_json: str | None,
    rego_dir: Path | None,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Decide ENTRYPOINT for a JSON input (--input or stdin) and log the decision."""
    text = input_json if input_json is not None else sys.stdin.read()
    payload = json_object(text)

    async def work(pearl: Pearl) -> DecisionRecord:
        engine = pearl.policy_engine(rego_dir, data_dir)
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await evaluate_policy(
            uow, engine, entrypoint, payload, clock=pearl.clock, mask=pearl.decision_mask
        )

    record = run(ctx, work)
    emit(record.model_dump(mode="json"), as_json=as_json, text=lambda: _decision_text(record))


def _decision_text(record: DecisionRecord) -> str:
    lines = [f"{record.decision}  {record.entrypoint}  {record.decision_id}"]
    for reason in record.reasons:
        lines.append(f"  - {reason['rule_id']} [{reason['severity']}] {reason['message']}")
        if reason.get("hint"):
            lines.append(f"    hint: {reason['hint']}")
    lines.append(f"bundle {record.bundle_hash[:12]}  latency {record.latency_us:.0f} µs")
    return "\n".join(lines)


@policy.command("replay")
@requires(Permission.POLICY_READ)
@click.option("--since", "since_text", required=True, help="ISO 8601 time, or a duration: 24h, 7d.")
@click.option("--entrypoint", default=None, help="Only decisions of this entrypoint.")
@_bundle_option
@_data_option
@click.option("--limit", default=None, type=click.IntRange(1), help="Replay at most N decisions.")
@json_option
@click.pass_context
def replay(
    ctx: click.Context,
    since_text: str,
    entrypoint: str | None,
    rego_dir: Path | None,
    data_dir: Path | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Re-evaluate logged decisions on the current or a candidate bundle; show changes."""

    async def work(pearl: Pearl) -> ReplayReport:
        since = parse_since(since_text, pearl.clock.now())
        engine = pearl.policy_engine(rego_dir, data_dir)
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await replay_decisions(uow, engine, since=since, entrypoint=entrypoint, limit=limit)

    report = run(ctx, work)
    emit(report.to_dict(), as_json=as_json, text=lambda: _replay_text(report))


def _replay_text(report: ReplayReport) -> str:
    masked = f" ({report.masked} with masked input)" if report.masked else ""
    lines = [
        f"replayed {report.replayed} decision(s) since {report.since:%Y-%m-%dT%H:%M:%SZ} "
        f"on bundle {report.bundle_hash[:12]}: {report.unchanged} unchanged, "
        f"{len(report.changed)} changed{masked}"
    ]
    for change in report.changed:
        head = f"{change.decision_id}  {change.entrypoint}  {change.decided_at:%Y-%m-%dT%H:%M:%SZ}"
        if change.error is not None:
            lines.append(f"! {head}  {change.old_decision} -> error [{change.error}]")
            continue
        rules = [f"+{rule}" for rule in change.added_rules]
        rules += [f"-{rule}" for rule in change.removed_rules]
        note = "  (masked input)" if change.masked else ""
        lines.append(
            f"~ {head}  {change.old_decision} -> {change.new_decision}  {' '.join(rules)}".rstrip()
            + note
        )
    return "\n".join(lines)
