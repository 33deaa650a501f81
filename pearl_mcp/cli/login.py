"""``pearl login``, ``pearl logout`` and ``pearl token``: a human's session with a server.

``login`` signs in at ``{server}/auth/login`` (password from ``PEARL_PASSWORD``
or a hidden prompt) and keeps the session's refresh token in the credentials
file (:mod:`pearl_mcp.cli.login_file`); ``token`` turns it into a fresh access
token for ``curl -H "Authorization: Bearer $(pearl token)"`` or
``PEARL_TOKEN``, storing the rotated refresh token; ``logout`` ends the
session on the server and deletes the file. No command prints a password or a
refresh token. A refused refresh deletes the stored credentials and says to
log in again (``unauthenticated``).
"""

from __future__ import annotations

import click

from pearl_core import ValidationFailed
from pearl_mcp.cli.acting import PASSWORD_ENV, read_secret
from pearl_mcp.cli.app import CliContext, cli, emit, json_option
from pearl_mcp.cli.login_file import LoginFile, StoredLogin
from pearl_mcp.cli.permissions import public
from pearl_mcp.cli.remote import (
    ServerError,
    fresh_tokens,
    http_client,
    server_url,
    sign_in,
    sign_out,
)


def login_file(ctx: click.Context) -> LoginFile:
    """The credentials file of this CLI's environment (``PEARL_CONFIG_DIR``)."""
    return LoginFile.from_environ(ctx.ensure_object(CliContext).environ)


@cli.command("login")
@public("signs in to a server, which checks the password")
@click.option("--server", default=None, help="The PeaRL server's URL (default: PEARL_PUBLIC_URL).")
@click.option("--email", required=True, help="Your PeaRL sign-in email.")
@click.option("--org-id", default=None, help="Your org, if your email has accounts in several.")
@json_option
@click.pass_context
def login(
    ctx: click.Context, server: str | None, email: str, org_id: str | None, as_json: bool
) -> None:
    """Sign in to a PeaRL server and keep the session for pearl token."""
    cli_ctx = ctx.ensure_object(CliContext)
    chosen = server or cli_ctx.settings.auth.public_url
    if not chosen:
        raise ValidationFailed("say which server: --server URL", field="--server")
    url = server_url(chosen)
    password = read_secret(ctx, PASSWORD_ENV, f"Password for {email}")
    store = login_file(ctx)
    with http_client() as client:
        tokens = sign_in(client, url, email, password, org_id)
    with store.locked():
        store.save(StoredLogin(url, email, tokens.refresh_token))
    emit(
        {"server": url, "email": email, "credentials_file": str(store.path)},
        as_json=as_json,
        text=f"logged in to {url} as {email}",
    )


@cli.command("logout")
@public("ends the stored session on its server")
@json_option
@click.pass_context
def logout(ctx: click.Context, as_json: bool) -> None:
    """End the stored session on its server and delete the stored credentials."""
    store = login_file(ctx)
    with store.locked():
        stored = store.load()
        try:
            with http_client() as client:
                sign_out(client, stored.server, stored.refresh_token)
        except ServerError as exc:
            if exc.status != 401:  # 401: the session had ended already
                raise
        finally:
            store.delete()  # the token leaves this machine even if the server was unreachable
    emit(
        {"server": stored.server, "email": stored.email, "logged_out": True},
        as_json=as_json,
        text=f"logged out of {stored.server}",
    )


@cli.command("token")
@public("asks the server for a token of the stored session")
@json_option
@click.pass_context
def token(ctx: click.Context, as_json: bool) -> None:
    """Print a fresh access token of the stored session (it rotates the refresh token)."""
    with http_client() as client:
        stored, tokens = fresh_tokens(client, login_file(ctx))
    emit(
        {
            "access_token": tokens.access_token,
            "token_type": tokens.token_type,
            "expires_in": tokens.expires_in,
            "server": stored.server,
        },
        as_json=as_json,
        text=tokens.access_token,
    )
