"""Talking to a PeaRL server: sign in, refresh, sign out, and call ``/api/v1`` as the
signed-in human.

A server URL must be ``https://``, or ``http://`` on a loopback host only: a
password or token never crosses a network in the clear. A server's refusal
becomes a :class:`ServerError` carrying the server's own error code, so the
CLI's ``pearl: error [<code>]`` line reads the same as in embedded mode; a
server that cannot be reached is ``configuration_error`` naming ``--server``.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlsplit

import httpx2

from pearl_core import ConfigurationError, PearlError, Unauthenticated, ValidationFailed
from pearl_mcp.cli.login_file import LoginFile, StoredLogin

__all__ = [
    "Api",
    "ServerError",
    "Tokens",
    "http_client",
    "path_segment",
    "server_url",
    "sign_in",
    "sign_out",
    "signed_in_afresh",
    "stored_login",
]

API_PREFIX: Final = "/api/v1"
_TIMEOUT: Final = httpx2.Timeout(30.0)


class ServerError(PearlError):
    """An error a PeaRL server answered with; subclasses carry the server's ``code``."""

    def __init__(self, message: str, /, *, status: int, **details: Any) -> None:
        super().__init__(message, **details)
        self.status = status


@functools.cache
def _error_type(code: str) -> type[ServerError]:
    return type("ServerError", (ServerError,), {"code": code, "__module__": __name__})


@dataclass(frozen=True, slots=True)
class Tokens:
    """A token response of ``/auth/login`` or ``/auth/refresh``."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_type: str
    expires_in: int


def server_url(url: str) -> str:
    """``url`` without a trailing slash, once it is https (or http on loopback);
    ``validation_failed`` naming ``--server`` otherwise."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host or parts.query or parts.fragment:
        raise ValidationFailed("the server must be an http(s) URL", field="--server")
    if parts.scheme == "http" and not _loopback(host):
        raise ValidationFailed(
            "a server beyond this machine must be https (passwords and tokens cross it)",
            field="--server",
        )
    return url.strip().rstrip("/")


def path_segment(value: str) -> str:
    """``value`` quoted to be one segment of a URL path."""
    return quote(value, safe="")


def http_client() -> httpx2.Client:
    return httpx2.Client(timeout=_TIMEOUT, follow_redirects=False)


def call(
    client: httpx2.Client,
    method: str,
    url: str,
    *,
    body: Mapping[str, Any] | None = None,
    token: str | None = None,
) -> Any:
    """The JSON answer of ``method url`` (None for 204); a :class:`ServerError` for a refusal."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    try:
        response = client.request(method, url, json=body, headers=headers)
    except httpx2.HTTPError as exc:
        raise ConfigurationError(
            f"cannot reach the PeaRL server at {url}: {exc.__class__.__name__}",
            setting="--server",
        ) from None
    if response.status_code == 204:
        return None
    if response.is_success:
        return response.json()
    return _raise_refusal(response)


def sign_in(
    client: httpx2.Client, server: str, email: str, password: str, org_id: str | None
) -> Tokens:
    body = {"email": email, "password": password}
    if org_id is not None:
        body["org_id"] = org_id
    return _tokens(call(client, "POST", f"{server}/auth/login", body=body))


def refresh(client: httpx2.Client, server: str, refresh_token: str) -> Tokens:
    body = {"refresh_token": refresh_token}
    return _tokens(call(client, "POST", f"{server}/auth/refresh", body=body))


def sign_out(client: httpx2.Client, server: str, refresh_token: str) -> None:
    call(client, "POST", f"{server}/auth/logout", body={"refresh_token": refresh_token})


def fresh_tokens(client: httpx2.Client, login_file: LoginFile) -> tuple[StoredLogin, Tokens]:
    """Refresh the stored session and store its rotated refresh token.

    A refused refresh (the session ended, expired, or its token was reused)
    deletes the stored credentials: ``unauthenticated`` saying to log in again.
    """
    with login_file.locked():
        login = login_file.load()
        try:
            tokens = refresh(client, login.server, login.refresh_token)
        except ServerError as exc:
            if exc.status != 401:
                raise
            login_file.delete()
            raise Unauthenticated(
                f"the session with {login.server} ended: run pearl login again",
                reason=exc.details.get("reason", "session_ended"),
            ) from None
        login = StoredLogin(login.server, login.email, tokens.refresh_token)
        login_file.save(login)
    return login, tokens


@dataclass(frozen=True, slots=True)
class Api:
    """``/api/v1`` of a server, called as the signed-in human."""

    client: httpx2.Client
    server: str
    access_token: str = field(repr=False)

    def get(self, path: str) -> Any:
        return call(self.client, "GET", self._url(path), token=self.access_token)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return call(self.client, "POST", self._url(path), body=body, token=self.access_token)

    def _url(self, path: str) -> str:
        return f"{self.server}{API_PREFIX}{path}"


def stored_login(login_file: LoginFile, server: str | None) -> StoredLogin:
    """The stored login, which must be to ``server`` if one is named
    (``unauthenticated``, ``reason="other_server"``, otherwise)."""
    stored = login_file.load()
    if server is not None and server_url(server) != stored.server:
        raise Unauthenticated(
            f"logged in to {stored.server}, not {server}: run pearl login --server {server}",
            reason="other_server",
        )
    return stored


def _tokens(body: Any) -> Tokens:
    try:
        return Tokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            token_type=str(body.get("token_type", "Bearer")),
            expires_in=int(body["expires_in"]),
        )
    except (TypeError, KeyError, ValueError):
        raise ValidationFailed("the server's token response is malformed") from None


def _raise_refusal(response: httpx2.Response) -> Any:
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
        details = error.get("details")
    except (ValueError, TypeError, KeyError):  # not PeaRL answering (a proxy, say)
        code, message, details = (
            PearlError.code,
            f"the server answered {response.status_code}",
            None,
        )
    extra = {k: v for k, v in details.items() if k != "status"} if isinstance(details, dict) else {}
    raise _error_type(code)(message, status=response.status_code, **extra)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def signed_in_afresh(login_file: LoginFile, server: str | None, password: str) -> Iterator[Api]:
    """The API of the stored login's server as its human, signed in again with
    ``password`` just now: what deciding needs (the server refuses a decision
    made with a refreshed token, so a stored session alone cannot decide). The
    fresh session is ended on the way out; the stored one is left as it was."""
    with http_client() as client:
        stored = stored_login(login_file, server)
        tokens = sign_in(client, stored.server, stored.email, password, None)
        try:
            yield Api(client, stored.server, tokens.access_token)
        finally:
            sign_out(client, stored.server, tokens.refresh_token)
