"""``pearl ingest``: read a scanner report into a project environment's findings."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from pearl_core import (
    INGEST_FORMATS,
    Environment,
    IngestRequest,
    IngestSummary,
    Pearl,
    ValidationFailed,
    ingest_report,
    local_operator,
    parse,
)
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise ValidationFailed(
            f"cannot read {path}: {exc.strerror or exc.__class__.__name__}", path=str(path)
        ) from None


def _describe(summary: IngestSummary, source_name: str) -> str:
    s = summary
    lines = [
        f"{source_name} ({s.format}, {s.scope} scan) -> {s.project_id}/{s.environment.value}: "
        f"{s.created} created, {s.updated} updated, {s.unchanged} unchanged, "
        f"{s.reopened} reopened, {s.resolved_by_rescan} resolved by rescan, "
        f"{s.duplicates} duplicates, {s.quarantined} quarantined  [{s.ingest_id}]"
    ]
    if s.idempotent_replay:
        lines.append("idempotent replay: this report was already ingested; nothing changed")
    if s.resolution != "applied":
        lines.append(f"open findings missing from the report stay open ({s.resolution})")
    lines += [f"quarantined {q.record}: {q.reason}" for q in s.quarantine]
    return "\n".join(lines)


@cli.command("ingest")
@requires(Permission.FINDINGS_INGEST)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--project", "project_id", required=True, help="Project id (proj_...).")
@click.option(
    "--env", "environment", required=True, type=click.Choice([e.value for e in Environment])
)
@click.option(
    "--format",
    "report_format",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *INGEST_FORMATS]),
    help="Report format; auto detects it from the content.",
)
@click.option(
    "--scope",
    default="full",
    show_default=True,
    type=click.Choice(["full", "partial"]),
    help="full: open findings of the report's tools that it no longer has are resolved.",
)
@click.option("--idempotency-key", default=None, help="Retries with this key ingest once.")
@json_option
@click.pass_context
def ingest(
    ctx: click.Context,
    path: Path,
    project_id: str,
    environment: str,
    report_format: str,
    scope: str,
    idempotency_key: str | None,
    as_json: bool,
) -> None:
    """Ingest the scanner report at PATH and print what changed."""
    request = parse(
        IngestRequest,
        {
            "project_id": project_id,
            "environment": Environment(environment),
            "source_name": path.name or str(path),
            "format": report_format,
            "scope": scope,
            "idempotency_key": idempotency_key,
        },
    )
    source = _open(path)

    async def work(pearl: Pearl) -> IngestSummary:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await ingest_report(
            uow, request, source, clock=pearl.clock, limits=pearl.ingest_limits
        )

    with source:
        summary = run(ctx, work)
    emit(
        summary.model_dump(mode="json"),
        as_json=as_json,
        text=lambda: _describe(summary, request.source_name),
    )
