"""``pearl findings``: list and show findings."""

from __future__ import annotations

import click

from pearl_core import (
    Environment,
    Finding,
    FindingStatus,
    Pearl,
    RiskLevel,
    get_finding,
    list_findings,
    local_operator,
)
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires


def _where(finding: Finding) -> str:
    if finding.package is not None:
        return f"{finding.package.name}@{finding.package.version}"
    if not finding.locations:
        return "-"
    first = finding.locations[0]
    return first.path if first.start_line is None else f"{first.path}:{first.start_line}"


def _line(f: Finding) -> str:
    return (
        f"{f.finding_id}  {f.severity.value:<8} {f.status.value:<14} "
        f"{f.source.tool_name:<12} {_where(f)}  {f.title}"
    )


def _detail(f: Finding) -> str:
    fields = [
        ("finding", f.finding_id),
        ("title", f.title),
        ("status", f.status.value + (f" ({f.status_reason})" if f.status_reason else "")),
        ("severity", f.severity.value),
        ("project", f"{f.project_id}/{f.environment.value}"),
        (
            "tool",
            f.source.tool_name + (f" {f.source.tool_version}" if f.source.tool_version else ""),
        ),
        ("rule", f.rule_id or "-"),
        ("cwe", ", ".join(f.cwe_ids) or "-"),
        ("cve", ", ".join(f.cve_ids) or "-"),
        ("where", _where(f)),
        ("fingerprint", f.fingerprint),
        ("first seen", f"{f.first_seen_at:%Y-%m-%dT%H:%M:%SZ}" if f.first_seen_at else "-"),
        ("last seen", f"{f.last_seen_at:%Y-%m-%dT%H:%M:%SZ}" if f.last_seen_at else "-"),
    ]
    return "\n".join(f"{name:<12} {value}" for name, value in fields)


@cli.group()
def findings() -> None:
    """List and show findings."""


@findings.command("list")
@requires(Permission.FINDINGS_READ)
@click.option("--project", "project_id", default=None, help="Only this project (proj_...).")
@click.option(
    "--env", "environment", default=None, type=click.Choice([e.value for e in Environment])
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in FindingStatus]),
    help="Only these statuses (repeatable).",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice([r.value for r in RiskLevel]),
    help="Only these severities (repeatable).",
)
@click.option("--tool", "tool_name", default=None, help="Only findings of this tool.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@click.pass_context
def list_(
    ctx: click.Context,
    project_id: str | None,
    environment: str | None,
    statuses: tuple[str, ...],
    severities: tuple[str, ...],
    tool_name: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List findings, oldest first."""

    async def work(pearl: Pearl) -> list[Finding]:
        return await list_findings(
            pearl.unit_of_work(local_operator(pearl.settings)),
            project_id=project_id,
            environment=None if environment is None else Environment(environment),
            statuses=[FindingStatus(s) for s in statuses] or None,
            severities=[RiskLevel(r) for r in severities] or None,
            tool_name=tool_name,
            limit=limit,
        )

    found = run(ctx, work)
    emit(
        [f.model_dump(mode="json", exclude_none=True) for f in found],
        as_json=as_json,
        text=lambda: "\n".join(_line(f) for f in found) or "no findings",
    )


@findings.command("show")
@requires(Permission.FINDINGS_READ)
@click.argument("finding_id")
@json_option
@click.pass_context
def show(ctx: click.Context, finding_id: str, as_json: bool) -> None:
    """Show one finding."""

    async def work(pearl: Pearl) -> Finding:
        return await get_finding(pearl.unit_of_work(local_operator(pearl.settings)), finding_id)

    finding = run(ctx, work)
    emit(
        finding.model_dump(mode="json", exclude_none=True),
        as_json=as_json,
        text=lambda: _detail(finding),
    )
