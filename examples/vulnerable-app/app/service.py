"""The HTTP side: a WSGI application over the other modules.

    GET  /orders?customer=NAME   the customer's orders (needs the API token)
    POST /orders                 JSON {"customer", "item", "quantity"} (needs the API token)
    GET  /whoami                 the user in the ``session`` cookie

Run it with ``python -m app.service`` (``wsgiref``, for local use only).
"""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from app import db, sessions, settings

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _reply(start: StartResponse, status: str, body: object) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _authorised(environ: dict[str, Any], api_token: str) -> bool:
    sent = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    return bool(api_token) and hmac.compare_digest(sent.encode(), api_token.encode())


def _whoami(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    if "session" not in cookie:
        return _reply(start, "401 Unauthorized", {"error": "no session"})
    session = sessions.decode_session(cookie["session"].value)
    return _reply(start, "200 OK", {"user": session.get("user")})


def _orders(
    environ: dict[str, Any], start: StartResponse, connection: sqlite3.Connection
) -> list[bytes]:
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        order = json.loads(environ["wsgi.input"].read(length))
        new_id = db.add_order(connection, order["customer"], order["item"], order["quantity"])
        return _reply(start, "201 Created", {"id": new_id})
    customer = parse_qs(environ.get("QUERY_STRING", "")).get("customer", [""])[0]
    found = db.orders_for(connection, customer)
    return _reply(start, "200 OK", [vars(order) for order in found])


def make_app(connection: sqlite3.Connection, *, api_token: str) -> WsgiApp:
    """The WSGI application, storing orders in ``connection``."""

    def application(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/whoami":
            return _whoami(environ, start)
        if path != "/orders":
            return _reply(start, "404 Not Found", {"error": "no such page"})
        if not _authorised(environ, api_token):
            return _reply(start, "401 Unauthorized", {"error": "bad or missing token"})
        return _orders(environ, start, connection)

    return application


def main() -> None:
    from wsgiref.simple_server import make_server

    app = make_app(db.connect(settings.DATABASE_PATH), api_token=settings.API_TOKEN)
    with make_server("127.0.0.1", settings.LISTEN_PORT, app) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
