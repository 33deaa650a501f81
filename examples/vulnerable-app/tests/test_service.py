import io
import json
from typing import Any

from app import db, service, sessions

TOKEN = "test-token"  # noqa: S105 -- a test value; the service is given its token explicitly


def call(app: service.WsgiApp, path: str, **environ: Any) -> tuple[str, Any]:
    seen: list[str] = []
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, **environ},
            lambda status, headers: seen.append(status),
        )
    )
    return seen[0], json.loads(body)


def test_an_order_posted_with_the_token_is_listed_for_its_customer() -> None:
    app = service.make_app(db.connect(), api_token=TOKEN)
    order = json.dumps({"customer": "alice", "item": "teapot", "quantity": 1}).encode()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}

    created = call(
        app,
        "/orders",
        REQUEST_METHOD="POST",
        CONTENT_LENGTH=str(len(order)),
        **{"wsgi.input": io.BytesIO(order)},
        **auth,
    )
    listed = call(app, "/orders", QUERY_STRING="customer=alice", **auth)

    assert created == ("201 Created", {"id": 1})
    assert listed == (
        "200 OK",
        [{"id": 1, "customer": "alice", "item": "teapot", "quantity": 1}],
    )


def test_orders_without_the_token_are_refused() -> None:
    app = service.make_app(db.connect(), api_token=TOKEN)

    status, _ = call(app, "/orders", QUERY_STRING="customer=alice")

    assert status == "401 Unauthorized"


def test_whoami_names_the_user_of_the_session_cookie() -> None:
    app = service.make_app(db.connect(), api_token=TOKEN)
    cookie = sessions.encode_session({"user": "alice"})

    assert call(app, "/whoami", HTTP_COOKIE=f"session={cookie}") == ("200 OK", {"user": "alice"})
