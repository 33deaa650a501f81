"""The API's own description: ``/api/v1/openapi.json`` and a plain ``/api/v1/docs`` page.

Handlers read their bodies themselves (see :mod:`pearl_mcp.rest.deps`), so
request and response schemas are declared on each route with :func:`body`
and :func:`returns`, as ``$ref`` s into ``components.schemas``, which
:func:`build_openapi` fills from :data:`SCHEMA_MODELS` (the same pydantic
models that validate the bodies). Every operation also says which
permission it needs (``x-pearl-permission``), and the document declares the
bearer scheme. FastAPI's ``422`` entries are dropped: parameter errors are
``400 validation_failed`` here.

The docs page is one self-contained HTML table of the operations with a link
to the JSON: no scripts, no CDN, nothing fetched.
"""

from __future__ import annotations

import html
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pearl_core import (
    AgentAction,
    ApplicationSpec,
    ApprovalDecision,
    ApprovalRequest,
    CompiledContextPackage,
    EnvironmentProfile,
    ErrorResponse,
    ExceptionRecord,
    Finding,
    Job,
    OrgBaseline,
    OutcomeReport,
    Project,
    RemediationSpec,
    Report,
    ReportRequest,
    TaskPacket,
)
from pearl_mcp.rest.findings_batch import FindingsIngestBody
from pearl_mcp.rest.permissions import ROUTE_PERMISSIONS
from pearl_mcp.rest.wire import (
    ApprovalRequestBody,
    CompileBody,
    DecisionBody,
    ExceptionBody,
    GenerateTaskPacketBody,
    ProjectBody,
    ReleaseBody,
    RemediationBody,
)

__all__ = ["ERRORS", "SCHEMA_MODELS", "body", "build_openapi", "docs_page", "returns"]

#: Every model a route's ``$ref`` may name.
SCHEMA_MODELS: Final[tuple[type[BaseModel], ...]] = (
    AgentAction,
    ApplicationSpec,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRequestBody,
    CompileBody,
    CompiledContextPackage,
    DecisionBody,
    EnvironmentProfile,
    ErrorResponse,
    ExceptionBody,
    ExceptionRecord,
    Finding,
    FindingsIngestBody,
    GenerateTaskPacketBody,
    Job,
    OrgBaseline,
    OutcomeReport,
    Project,
    ProjectBody,
    ReleaseBody,
    RemediationBody,
    RemediationSpec,
    Report,
    ReportRequest,
    TaskPacket,
)

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema(model: type[BaseModel] | dict[str, Any] | None) -> dict[str, Any]:
    if model is None:
        return {"type": "object"}
    return model if isinstance(model, dict) else _ref(model.__name__)


def body(model: type[BaseModel] | dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` declaring the JSON request body."""
    content = {_JSON: {"schema": _schema(model)}}
    return {"requestBody": {"required": required, "content": content}}


def returns(
    status: int, model: type[BaseModel] | dict[str, Any] | None, description: str
) -> dict[int | str, dict[str, Any]]:
    """A ``responses`` entry: ``status`` with a JSON body of ``model``."""
    return {status: {"description": description, "content": {_JSON: {"schema": _schema(model)}}}}


def listing(model: type[BaseModel]) -> dict[str, Any]:
    """The schema of a list answer (``{"schema_version", "items"}``)."""
    return {
        "type": "object",
        "properties": {
            "schema_version": {"type": "string"},
            "items": {"type": "array", "items": _ref(model.__name__)},
        },
        "required": ["schema_version", "items"],
    }


_ERROR_TEXT: Final = {
    400: "validation_failed (or another 4xx code, see the body)",
    401: "unauthenticated",
    403: "forbidden, human_required, reason_required, requester_cannot_decide",
    404: "not_found",
    409: "conflict, already_exists, invalid_transition, approval_not_pending",
    413: "limit_exceeded",
    503: "policy or store unavailable: PeaRL fails closed",
}
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {"description": text, "content": {_JSON: {"schema": _ref("ErrorResponse")}}}
    for status, text in _ERROR_TEXT.items()
}


#: ``OutcomeReport`` fields PeaRL fills in: the reporter and the time.
SERVER_FILLED: Final = ("reported_by", "reported_at")


def _server_filled(schema: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``schema`` without ``names``: what a caller sends."""
    properties = {k: v for k, v in schema.get("properties", {}).items() if k not in names}
    required = [name for name in schema.get("required", []) if name not in names]
    return {
        **schema,
        "title": f"{schema.get('title', '')}Request",
        "properties": properties,
        "required": required,
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` (see the module docstring)."""
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    _, top = models_json_schema(
        [(model, "validation") for model in SCHEMA_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for name, schema in top.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas["OutcomeReportRequest"] = _server_filled(schemas["OutcomeReport"], SERVER_FILLED)
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "opaque or JWT"}
    }
    spec["security"] = [{"bearerAuth": []}]
    for methods in spec.get("paths", {}).values():
        for operation in methods.values():
            operation.get("responses", {}).pop("422", None)
            permission = ROUTE_PERMISSIONS.get(operation.get("operationId", ""))
            if permission is not None:
                operation["x-pearl-permission"] = permission.value
    return spec


def docs_page(request: Request) -> HTMLResponse:
    """The operations as one HTML table, linking the OpenAPI JSON."""
    app: FastAPI = request.app
    spec = app.openapi()
    rows = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, operation in sorted(methods.items()):
            cells = (
                method.upper(),
                path,
                operation.get("operationId", ""),
                operation.get("x-pearl-permission", ""),
                operation.get("summary", ""),
            )
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    title = html.escape(f"{spec['info']['title']} {spec['info']['version']}")
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title></head><body><h1>{title}</h1>"
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a>. Every operation needs '
        "<code>Authorization: Bearer &lt;credential&gt;</code> and the permission shown.</p>"
        "<table><thead><tr><th>Method</th><th>Path</th><th>Operation</th><th>Permission</th>"
        "<th>Summary</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>"
    )
    return HTMLResponse(page)
