"""Generate PeaRL's JSON Schemas (draft 2020-12) from the domain models.

``python -m pearl_core.schemas.generate`` rewrites the ``*.schema.json``
files in this package and deletes ones no model produces any more;
``--check`` only reports drift (exit status 1), for CI. Output is
deterministic (sorted keys, two-space indent, trailing newline) so a
regenerated file only differs when a model did.

Each schema gets a ``$id`` under PeaRL's schema version and, on every object
that has fields the v1.1 contract does not, an ``x-pearl-extensions`` list
naming them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final, get_args

from pydantic import BaseModel

from pearl_core.domain.app_spec import ApplicationSpec
from pearl_core.domain.audit import AuditEvent
from pearl_core.domain.base import SCHEMA_VERSION
from pearl_core.domain.common import ErrorResponse
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.context import DocumentVersion, EnvironmentProfile, OrgBaseline
from pearl_core.domain.decisions import DecisionRecord
from pearl_core.domain.findings import Finding
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    Promotion,
)
from pearl_core.domain.identity import Org, ServiceAccount, Team, User
from pearl_core.domain.jobs import Job
from pearl_core.domain.project import Project
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.domain.reports import Report, ReportRequest

__all__ = ["ENTITIES", "SCHEMA_DIR", "build_schemas", "main", "render"]

SCHEMA_DIR: Final = Path(__file__).resolve().parent
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
ID_BASE: Final = f"https://pearl.local/schemas/{SCHEMA_VERSION}/"

#: File stem -> model, one per public entity. Names follow the contract's files.
ENTITIES: Final[dict[str, type[BaseModel]]] = {
    "application-spec": ApplicationSpec,
    "approval-decision": ApprovalDecision,
    "approval-request": ApprovalRequest,
    "audit-event": AuditEvent,
    "compiled-context-package": CompiledContextPackage,
    "decision-record": DecisionRecord,
    "document-version": DocumentVersion,
    "environment-profile": EnvironmentProfile,
    "error-response": ErrorResponse,
    "exception-record": ExceptionRecord,
    "finding": Finding,
    "job": Job,
    "org": Org,
    "org-baseline": OrgBaseline,
    "project": Project,
    "promotion": Promotion,
    "remediation-spec": RemediationSpec,
    "report": Report,
    "report-request": ReportRequest,
    "service-account": ServiceAccount,
    "task-packet": TaskPacket,
    "team": Team,
    "user": User,
}


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _reachable(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model ``model`` nests, by class name (pydantic's ``$defs`` keys)."""
    found: dict[str, type[BaseModel]] = {}
    pending = [model]
    while pending:
        current = pending.pop()
        if found.setdefault(current.__name__, current) is not current:
            continue
        for field in current.model_fields.values():
            pending.extend(m for m in _models_in(field.annotation) if m.__name__ not in found)
    return found


def _schema_for(stem: str, model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    defs: dict[str, Any] = schema.get("$defs", {})
    for name, cls in _reachable(model).items():
        extensions = getattr(cls, "PEARL_EXTENSIONS", None)
        target = schema if cls is model else defs.get(name)
        if extensions and target is not None:
            target["x-pearl-extensions"] = sorted(extensions)
    schema["$schema"] = DRAFT
    schema["$id"] = f"{ID_BASE}{stem}.schema.json"
    schema.setdefault("title", model.__name__)
    return schema


def build_schemas() -> dict[str, dict[str, Any]]:
    """File name (``project.schema.json``) -> schema, for every public entity."""
    return {f"{stem}.schema.json": _schema_for(stem, model) for stem, model in ENTITIES.items()}


def render(schema: dict[str, Any]) -> str:
    """The exact text written to disk for ``schema``."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schemas (or with ``--check`` report drift); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    expected = {name: render(schema) for name, schema in build_schemas().items()}
    on_disk = {path.name: path for path in SCHEMA_DIR.glob("*.schema.json")}
    stale = sorted(set(on_disk) - set(expected))
    changed = sorted(
        name
        for name, text in expected.items()
        if name not in on_disk or on_disk[name].read_text(encoding="utf-8") != text
    )
    if check:
        for name in [*changed, *stale]:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if changed or stale else 0
    for name in changed:
        (SCHEMA_DIR / name).write_text(expected[name], encoding="utf-8")
    for name in stale:
        on_disk[name].unlink()
    print(f"{len(changed)} written, {len(stale)} removed, {len(expected)} schemas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
