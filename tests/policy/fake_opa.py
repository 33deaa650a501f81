"""A stand-in for the part of OPA's REST API the OPA adapter uses, backed by regorus.

It exists because no ``opa`` binary can be installed here: it lets the
adapter's HTTP conversation (policy ids, the data mount, the data API, error
bodies, stale-module clean-up, retrying modules that depend on later ones) be
tested for real over a socket. It is not OPA: parity with OPA itself is what
the ``PEARL_TEST_OPA_URL`` tests check.

Like OPA, it compiles on every ``PUT /v1/policies/<id>`` and answers 400 with
OPA's error body when the module set does not compile. The regorus engine is
made and used only on the server's own thread.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import regorus

_LOCATION = re.compile(r"-->\s*(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+)")


class FakeOpa:
    def __init__(self) -> None:
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}

    def compile(self, policies: dict[str, str]) -> tuple[Any, dict[str, Any] | None]:
        """The compiled engine, or OPA's error body (never an exception holding it)."""
        engine = regorus.Engine()
        error = None
        try:
            for policy_id, text in policies.items():
                engine.add_policy(policy_id, text)
            engine.add_data_json(json.dumps(self.data))
            engine.eval_query_as_json("data")
        except RuntimeError as exc:
            error = self.error(exc)
        if error is not None:
            del engine
            return None, error
        return engine, None

    def error(self, exc: RuntimeError) -> dict[str, Any]:
        text = str(exc).split("Stack backtrace", 1)[0]
        found = _LOCATION.search(text)
        message = [line for line in text.splitlines() if line.startswith("error:")]
        location = (
            {"file": found["file"], "row": int(found["line"]), "col": int(found["col"])}
            if found
            else {}
        )
        return {
            "code": "invalid_parameter",
            "message": "error(s) occurred while compiling module(s)",
            "errors": [
                {
                    "code": "rego_compile_error",
                    "message": message[-1][6:].strip() if message else text.strip(),
                    "location": location,
                }
            ],
        }


class _Handler(BaseHTTPRequestHandler):
    opa: FakeOpa

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        del format, args

    def _send(self, status: int, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/policies":
            self._send(200, {"result": [{"id": pid} for pid in self.opa.policies]})
        else:
            self._send(404, {"code": "resource_not_found", "message": self.path})

    def do_PUT(self) -> None:
        if self.path.startswith("/v1/policies/"):
            policy_id = self.path.removeprefix("/v1/policies/")
            candidate = {**self.opa.policies, policy_id: self._body().decode()}
            _, error = self.opa.compile(candidate)
            if error is not None:
                self._send(400, error)
                return
            self.opa.policies = candidate
            self._send(200, {})
        elif self.path.startswith("/v1/data/"):
            self.opa.data[self.path.removeprefix("/v1/data/")] = json.loads(self._body())
            self._send(204)
        else:
            self._send(404, {"code": "resource_not_found", "message": self.path})

    def do_DELETE(self) -> None:
        self.opa.policies.pop(self.path.removeprefix("/v1/policies/"), None)
        self._send(200, {})

    def do_POST(self) -> None:
        path = self.path.removeprefix("/v1/data/").replace("/", ".")
        engine, _ = self.opa.compile(self.opa.policies)
        engine.set_input_json(json.dumps(json.loads(self._body()).get("input")))
        raw = engine.eval_rule_as_json(f"data.{path}")
        self._send(200, {} if raw == '"<undefined>"' else {"result": json.loads(raw)})


@contextmanager
def fake_opa_server() -> Iterator[tuple[str, FakeOpa]]:
    """Serve a :class:`FakeOpa` on 127.0.0.1; yield its URL and state."""
    opa = FakeOpa()
    handler = type("Handler", (_Handler,), {"opa": opa})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", opa
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
