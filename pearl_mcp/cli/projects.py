"""``pearl projects``: create and list projects."""

from __future__ import annotations

import click

from pearl_core import (
    NewProject,
    Pearl,
    Project,
    create_project,
    list_projects,
    local_operator,
    parse,
)
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires


@cli.group()
def projects() -> None:
    """Create and list projects."""


@projects.command("create")
@requires(Permission.PROJECT_WRITE)
@click.option("--name", required=True, help="Human-readable project name.")
@click.option(
    "--id", "project_id", default=None, help="Explicit id (proj_...); generated if absent."
)
@click.option("--description", default=None)
@click.option("--owner-team", default="unassigned", show_default=True)
@json_option
@click.pass_context
def create(
    ctx: click.Context,
    name: str,
    project_id: str | None,
    description: str | None,
    owner_team: str,
    as_json: bool,
) -> None:
    """Create a project in the local org."""
    command = parse(
        NewProject,
        {
            "name": name,
            "project_id": project_id,
            "description": description,
            "owner_team": owner_team,
        },
    )

    async def work(pearl: Pearl) -> Project:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await create_project(uow, command, clock=pearl.clock)

    project = run(ctx, work)
    emit(
        project.model_dump(mode="json", exclude_none=True),
        as_json=as_json,
        text=f"created {project.project_id}  {project.name}",
    )


@projects.command("list")
@requires(Permission.PROJECT_READ)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000))
@json_option
@click.pass_context
def list_(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List the org's projects."""

    async def work(pearl: Pearl) -> list[Project]:
        return await list_projects(pearl.unit_of_work(local_operator(pearl.settings)), limit=limit)

    found = run(ctx, work)
    emit(
        [p.model_dump(mode="json", exclude_none=True) for p in found],
        as_json=as_json,
        text=lambda: "\n".join(f"{p.project_id}  {p.name}" for p in found) or "no projects",
    )
