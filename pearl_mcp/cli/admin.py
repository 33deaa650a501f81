"""``pearl admin bootstrap``: the org's first admin, once.

Run it on the host that holds the database (file access is what entitles
anyone to create the first admin). It migrates the database, creates the org
of ``PEARL_ORG_ID`` if it is missing, and then its first admin, whose password
comes from ``PEARL_BOOTSTRAP_ADMIN_PASSWORD`` or a hidden prompt asked twice:
there is no default credential. Once the org has an admin it refuses
(``already_exists``, ``reason=admin_exists``): from then on admins create users
(``pearl users create --user ADMIN``).
"""

from __future__ import annotations

from typing import Final

import click

from pearl_core import Pearl, User, bootstrap_admin
from pearl_mcp.cli.accounts import user_data
from pearl_mcp.cli.acting import read_secret
from pearl_mcp.cli.app import cli, emit, json_option, run
from pearl_mcp.cli.permissions import public

BOOTSTRAP_PASSWORD_ENV: Final = "PEARL_BOOTSTRAP_ADMIN_PASSWORD"  # noqa: S105 - a variable name


@cli.group()
def admin() -> None:
    """Set up an org's administration."""


@admin.command("bootstrap")
@public("the first admin, once: file access to the database is the authority")
@click.option("--email", required=True, help="The first admin's email (their sign-in name).")
@click.option("--name", "display_name", default=None, help="Display name (default: the email).")
@click.option(
    "--org-name",
    default="PeaRL default org",
    show_default=True,
    help="The org's name, if the org has to be created.",
)
@json_option
@click.pass_context
def bootstrap(
    ctx: click.Context, email: str, display_name: str | None, org_name: str, as_json: bool
) -> None:
    """Create the org (PEARL_ORG_ID) if needed and its first admin; refused once it has one."""
    password = read_secret(ctx, BOOTSTRAP_PASSWORD_ENV, f"New password for {email}", confirm=True)

    async def work(pearl: Pearl) -> User:
        await pearl.upgrade_database()
        return await bootstrap_admin(
            pearl.store,
            org_id=pearl.settings.org_id,
            org_name=org_name,
            email=email,
            display_name=display_name or email,
            password=password,
            clock=pearl.clock,
        )

    created = run(ctx, work)
    emit(
        user_data(created),
        as_json=as_json,
        text=f"{created.user_id}  {created.email}  admin of {created.org_id}",
    )
