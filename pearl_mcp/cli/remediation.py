"""``pearl remediation generate``: findings → remediation specs → signed task packets."""

from __future__ import annotations

import click

from pearl_core import (
    Environment,
    Generated,
    Pearl,
    RiskLevel,
    generate_remediation_specs,
    local_operator,
)
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires


def _text(result: Generated) -> str:
    lines = [
        f"{result.findings_considered} open finding(s) → {len(result.specs)} spec(s), "
        f"{len(result.packets)} new packet(s)"
    ]
    packet_of = {p.remediation_spec_id: p.task_packet_id for p in result.packets}
    for spec in result.specs:
        packet = packet_of.get(spec.remediation_spec_id, "-")
        lines.append(
            f"  {spec.remediation_spec_id}  {spec.eligibility.value:<26} "
            f"{spec.risk_summary.risk_level.value:<8} packet {packet}  "
            f"{len(spec.finding_refs)} finding(s)"
        )
    return "\n".join(lines)


@cli.group()
def remediation() -> None:
    """Plan fixes: remediation specs and task packets."""


@remediation.command("generate")
@requires(Permission.REMEDIATION_GENERATE)
@click.option("--project", "project_id", required=True, help="The project (proj_...).")
@click.option(
    "--env", "environment", required=True, type=click.Choice([e.value for e in Environment])
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice([r.value for r in RiskLevel]),
    help="Only findings of these severities (repeatable).",
)
@click.option("--tool", "tool_name", default=None, help="Only findings of this tool.")
@json_option
@click.pass_context
def generate(
    ctx: click.Context,
    project_id: str,
    environment: str,
    severities: tuple[str, ...],
    tool_name: str | None,
    as_json: bool,
) -> None:
    """Group open findings into specs, decide eligibility in Rego, cut packets."""

    async def work(pearl: Pearl) -> Generated:
        return await generate_remediation_specs(
            pearl.unit_of_work(local_operator(pearl.settings)),
            pearl.policy_engine(),
            project_id,
            Environment(environment),
            clock=pearl.clock,
            mask=pearl.decision_mask,
            signer=pearl.signer,
            packet_ttl=pearl.settings.work.packet_ttl,
            severities=[RiskLevel(r) for r in severities] or None,
            tool_name=tool_name,
        )

    result = run(ctx, work)
    emit(result.to_dict(), as_json=as_json, text=lambda: _text(result))
