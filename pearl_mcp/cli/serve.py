"""``pearl serve`` (MCP over streamable HTTP + REST + health) and ``pearl mcp`` (stdio).

Both authenticate every caller with an API key (``pearl agents create``
makes one); there is no anonymous or local mode. ``pearl serve`` binds
127.0.0.1 unless ``--allow-remote`` says otherwise, and shuts down
gracefully on SIGINT/SIGTERM (uvicorn finishes in-flight requests).
``pearl mcp`` reads the key from ``PEARL_API_KEY`` and speaks MCP on
stdin/stdout (logs go to stderr).
"""

from __future__ import annotations

import ipaddress
import os

import anyio
import click

from pearl_core import ConfigurationError, Unauthenticated
from pearl_mcp.cli.app import CliContext, cli
from pearl_mcp.cli.permissions import public

# The server stack (uvicorn, FastAPI, the MCP SDK) is imported by the two
# commands that run it, so every other `pearl` command (check-action runs as
# an agent's pre-tool hook on every tool call) starts without it.


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command("serve")
@public("serves HTTP; every request is authenticated and authorised by the server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    default=None,
    help="The URL clients use (default: http://HOST:PORT); its host is allowed in Host/Origin.",
)
@click.option(
    "--migrate", is_flag=True, help="Apply database migrations before serving (pearl db upgrade)."
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow binding an interface other than loopback (put TLS in front of it).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    public_url: str | None,
    migrate: bool,
    allow_remote: bool,
) -> None:
    """Serve MCP at /mcp, REST at /api/v1, /healthz and /readyz."""
    import uvicorn

    from pearl_mcp.credentials import CredentialResolver
    from pearl_mcp.http_app import build_http_app
    from pearl_mcp.runtime import Runtime

    if not _loopback(host) and not allow_remote:
        raise ConfigurationError(
            f"binding {host} exposes PeaRL beyond this machine: pass --allow-remote to mean it",
            setting="--host",
        )
    settings = ctx.ensure_object(CliContext).settings
    runtime = Runtime.start(settings)
    if migrate:
        anyio.run(runtime.pearl.upgrade_database)
    url = public_url or settings.auth.public_url or f"http://{host}:{port}"
    issuer = runtime.pearl.token_issuer(url)
    app = build_http_app(
        runtime, CredentialResolver(runtime, issuer), public_url=url, issuer=issuer
    )
    click.echo(f"PeaRL serving MCP at {url}/mcp and REST at {url}/api/v1", err=True)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
    )
    try:
        uvicorn.Server(config).run()
    finally:
        anyio.run(runtime.aclose)


@cli.command("mcp")
@public("speaks MCP as the principal of PEARL_API_KEY; every call is authorised by the server")
@click.pass_context
def mcp_stdio(ctx: click.Context) -> None:
    """Speak MCP on stdio as the principal of PEARL_API_KEY (or of PEARL_TOKEN, an
    access token of the server at PEARL_PUBLIC_URL)."""
    from pearl_mcp.credentials import CredentialResolver
    from pearl_mcp.identity import acting_as
    from pearl_mcp.mcp import build_mcp_server
    from pearl_mcp.runtime import Runtime

    settings = ctx.ensure_object(CliContext).settings
    credential = (os.environ.get("PEARL_API_KEY") or os.environ.get("PEARL_TOKEN") or "").strip()
    if not credential:
        raise Unauthenticated(
            "set PEARL_API_KEY to the agent's API key (pearl keys create), "
            "or PEARL_TOKEN to an access token (pearl token)"
        )

    async def main() -> None:
        runtime = Runtime.start(settings)
        try:
            public_url = settings.auth.public_url
            issuer = runtime.pearl.token_issuer(public_url) if public_url else None
            principal = await CredentialResolver(runtime, issuer).resolve(credential)
            if principal is None:
                raise Unauthenticated("PEARL_API_KEY / PEARL_TOKEN is not a valid credential")
            with acting_as(principal):
                async with runtime.running():
                    await build_mcp_server(runtime).run_stdio_async()
        finally:
            await runtime.aclose()

    anyio.run(main)
