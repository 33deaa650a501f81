"""PeaRL's tables (SQLAlchemy Core), the one source the migrations are checked against.

Tenant rows have a composite primary key ``(org_id, <id>)``: ids are per-org
namespaces, and every query filters by the acting principal's org, so another
org's row is indistinguishable from a missing one.

Aggregates keep their full pydantic document as JSON text in ``doc`` (read
back with ``Model.model_validate_json``), beside the few columns PeaRL filters
and sorts on. ``stored_at`` is when PeaRL stored the row (from the clock) and
orders listings together with the id.

Project-bound rows reference ``projects`` (a missing project is
``ProjectNotFound``, never an orphan row). ``findings`` also keep the
cross-tool key and the content hash (``Finding.content_digest()``) that an
ingest matches a report against without parsing documents; ``ingest_runs``
keep one accepted report each (its summary and the ids of the findings it
wrote, as JSON text), found again by idempotency key. ``audit_events`` is append-only:
the migration installs triggers that reject UPDATE and DELETE on both engines.
``decisions`` is the decision log: one row per policy evaluation, its
``DecisionRecord`` in ``doc``, read back in ``(decided_at, decision_id)`` order.
``api_keys`` are keyed by ``key_id`` alone: a presented key names its id
before PeaRL knows its org, so ids are unique across orgs; each key references
the service account it acts as. No secret is stored, only its HMAC digest.
``user_passwords`` keep each user's scrypt hash apart from the user document.
``refresh_tokens`` are keyed by ``jti`` alone (a presented token is looked up
before its org is known, like an API key) and keep only ids and times, never
the token; their state columns are what compare-and-set refreshes test.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.schema import SchemaItem

from pearl_core.store.types import UtcDateTime

__all__ = [
    "api_keys",
    "approval_decisions",
    "approval_requests",
    "audit_events",
    "audit_heads",
    "compiled_packages",
    "context_documents",
    "decisions",
    "exceptions",
    "findings",
    "ingest_runs",
    "jobs",
    "metadata",
    "orgs",
    "projects",
    "promotions",
    "refresh_tokens",
    "remediation_specs",
    "reports",
    "service_accounts",
    "task_packets",
    "teams",
    "user_passwords",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ID = 128
_ENV = 16
_STATUS = 32

ProjectLink = Literal["required", "optional", "none"]


def _aggregate(
    name: str, id_column: str, *extra: SchemaItem, project: ProjectLink = "required"
) -> Table:
    """A tenant aggregate: ``(org_id, id)`` key, ``stored_at``, ``doc`` and ``extra``.

    ``project`` adds a ``project_id`` column referencing ``projects``.
    """
    columns: list[SchemaItem] = [
        Column("org_id", String(_ID), nullable=False),
        Column(id_column, String(_ID), nullable=False),
    ]
    if project != "none":
        columns.append(Column("project_id", String(_ID), nullable=project == "optional"))
        columns.append(
            ForeignKeyConstraint(
                ["org_id", "project_id"], ["projects.org_id", "projects.project_id"]
            )
        )
    columns += [
        *extra,
        Column("stored_at", UtcDateTime, nullable=False),
        Column("doc", Text, nullable=False),
        PrimaryKeyConstraint("org_id", id_column),
    ]
    return Table(name, metadata, *columns)


def _status() -> Column[str]:
    return Column("status", String(_STATUS), nullable=False)


def _environment() -> Column[str]:
    return Column("environment", String(_ENV), nullable=False)


orgs = Table(
    "orgs",
    metadata,
    Column("org_id", String(_ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("doc", Text, nullable=False),
)

teams = _aggregate("teams", "team_id", Column("name", String(200), nullable=False), project="none")

users = _aggregate(
    "users",
    "user_id",
    Column("email", String(320), nullable=False),  # lower-cased
    Column("disabled", Boolean, nullable=False),
    UniqueConstraint("org_id", "email"),
    project="none",
)

service_accounts = _aggregate(
    "service_accounts",
    "service_account_id",
    Column("name", String(100), nullable=False),
    Column("disabled", Boolean, nullable=False),
    UniqueConstraint("org_id", "name"),
    project="none",
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), nullable=False),
    Column("org_id", String(_ID), nullable=False),
    Column("principal_id", String(_ID), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("stored_at", UtcDateTime, nullable=False),
    Column("doc", Text, nullable=False),
    PrimaryKeyConstraint("key_id"),
    ForeignKeyConstraint(
        ["org_id", "principal_id"],
        ["service_accounts.org_id", "service_accounts.service_account_id"],
    ),
    Index(None, "org_id", "principal_id"),
)

user_passwords = Table(
    "user_passwords",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("user_id", String(_ID), nullable=False),
    Column("password_hash", String(512), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("org_id", "user_id"),
    ForeignKeyConstraint(["org_id", "user_id"], ["users.org_id", "users.user_id"]),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("jti", String(64), nullable=False),
    Column("org_id", String(_ID), nullable=False),
    Column("family_id", String(64), nullable=False),
    Column("subject_id", String(_ID), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("replaced_by", String(64), nullable=True),
    PrimaryKeyConstraint("jti"),
    ForeignKeyConstraint(["org_id", "subject_id"], ["users.org_id", "users.user_id"]),
    Index(None, "org_id", "family_id"),
    Index(None, "org_id", "subject_id"),
)

projects = _aggregate(
    "projects",
    "project_id",
    Column("name", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    project="none",
)

context_documents = Table(
    "context_documents",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("doc_id", String(_ID), nullable=False),
    Column("version", Integer, nullable=False),
    Column("project_id", String(_ID), nullable=False),  # '' for an org-wide document
    Column("environment", String(_ENV), nullable=True),  # environment profiles only
    Column("content_hash", String(64), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("doc", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "kind", "doc_id", "version"),
    Index(None, "org_id", "kind", "project_id"),
)

compiled_packages = _aggregate(
    "compiled_packages",
    "package_id",
    _environment(),
    Column("revision", Integer, nullable=False),
    UniqueConstraint("org_id", "project_id", "environment", "revision"),
)

findings = _aggregate(
    "findings",
    "finding_id",
    _environment(),
    Column("fingerprint", String(200), nullable=False),
    _status(),
    Column("severity", String(_STATUS), nullable=False),
    Column("tool_name", String(200), nullable=False),
    Column("detected_at", UtcDateTime, nullable=False),
    Column("cross_tool_key", String(200), nullable=True),
    Column("content_hash", String(64), nullable=True),  # NULL: stored before 0002
    UniqueConstraint("org_id", "project_id", "environment", "fingerprint"),
    Index(None, "org_id", "project_id", "status"),
    Index(None, "org_id", "status"),
    Index(None, "org_id", "project_id", "environment", "cross_tool_key"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("ingest_id", String(_ID), nullable=False),
    Column("project_id", String(_ID), nullable=False),
    _environment(),
    Column("idempotency_key", String(200), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("format", String(32), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("summary", Text, nullable=False),  # IngestSummary JSON
    Column("finding_ids", Text, nullable=False),  # FindingChanges JSON
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("org_id", "ingest_id"),
    ForeignKeyConstraint(["org_id", "project_id"], ["projects.org_id", "projects.project_id"]),
    UniqueConstraint("org_id", "idempotency_key"),
    Index(None, "org_id", "project_id", "environment", "created_at"),
)

remediation_specs = _aggregate(
    "remediation_specs",
    "remediation_spec_id",
    _environment(),
    Index(None, "org_id", "project_id"),
)

task_packets = _aggregate(
    "task_packets",
    "task_packet_id",
    _environment(),
    _status(),
    Column("expires_at", UtcDateTime, nullable=True),
    Index(None, "org_id", "project_id", "status"),
    Index(None, "org_id", "status"),
)

approval_requests = _aggregate(
    "approval_requests",
    "approval_request_id",
    _status(),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "org_id", "status"),
)

approval_decisions = Table(
    "approval_decisions",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("approval_request_id", String(_ID), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("doc", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "approval_request_id"),
    ForeignKeyConstraint(
        ["org_id", "approval_request_id"],
        ["approval_requests.org_id", "approval_requests.approval_request_id"],
    ),
)

exceptions = _aggregate(
    "exceptions",
    "exception_id",
    _status(),
    Column("expires_at", UtcDateTime, nullable=True),
    Index(None, "org_id", "project_id", "status"),
)

promotions = _aggregate(
    "promotions", "promotion_id", _status(), Index(None, "org_id", "project_id", "status")
)

jobs = _aggregate(
    "jobs",
    "job_id",
    Column("job_type", String(64), nullable=False),
    _status(),
    Column("idempotency_key", String(200), nullable=True),
    Column("attempts", Integer, nullable=False),
    UniqueConstraint("org_id", "idempotency_key"),
    Index(None, "org_id", "status"),
    project="optional",
)

reports = _aggregate(
    "reports",
    "report_id",
    Column("report_type", String(64), nullable=False),
    Index(None, "org_id", "project_id"),
    project="optional",
)

decisions = Table(
    "decisions",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("decision_id", String(_ID), nullable=False),
    Column("entrypoint", String(200), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("bundle_hash", String(64), nullable=False),
    Column("decision", String(100), nullable=False),
    Column("doc", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "decision_id"),
    Index(None, "org_id", "decided_at", "decision_id"),
    Index(None, "org_id", "entrypoint", "decided_at", "decision_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("org_id", String(_ID), nullable=False),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("event_id", String(_ID), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor_id", String(200), nullable=False),
    Column("actor_kind", String(32), nullable=False),
    Column("action", String(100), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("trace_id", String(200), nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    PrimaryKeyConstraint("org_id", "seq"),
    UniqueConstraint("org_id", "event_id"),
    Index(None, "org_id", "resource_type", "resource_id"),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("org_id", String(_ID), primary_key=True),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("hash", String(64), nullable=False),
)
