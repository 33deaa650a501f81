"""``pearl db``: the database schema, managed only by migrations."""

from __future__ import annotations

import click

from pearl_core import Pearl
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import public


@cli.group()
def db() -> None:
    """Manage PeaRL's database."""


@db.command("upgrade")
@public("migrations are for whoever holds the database URL; they touch no org data")
@json_option
@click.pass_context
def upgrade(ctx: click.Context, as_json: bool) -> None:
    """Apply all migrations to the configured database."""

    async def work(pearl: Pearl) -> str:
        await pearl.upgrade_database()
        return pearl.settings.store.redacted_url

    url = run(ctx, work)
    emit({"status": "upgraded", "database": url}, as_json=as_json, text=f"database upgraded: {url}")
