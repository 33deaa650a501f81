"""Initial schema: identity, projects, context, findings, governance, jobs, audit.

Rendered by ``alembic revision --autogenerate`` from ``pearl_core/store/tables.py``
and reviewed; the append-only triggers on ``audit_events`` are hand-written
(autogenerate does not see triggers).

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:54:02.143586
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

_PG_APPEND_ONLY = (
    """
    CREATE FUNCTION pearl_audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION pearl_audit_events_append_only()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION pearl_audit_events_append_only()
    """,
)

_SQLITE_APPEND_ONLY = (
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed'); END
    """,
    """
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed'); END
    """,
)


revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_kind", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("trace_id", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("org_id", "event_id", name=op.f("uq_audit_events_org_id_event_id")),
    )
    op.create_index(
        op.f("ix_audit_events_org_id_resource_type_resource_id"),
        "audit_events",
        ["org_id", "resource_type", "resource_id"],
        unique=False,
    )
    op.create_table(
        "audit_heads",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "context_documents",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("doc_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "kind", "doc_id", "version", name=op.f("pk_context_documents")
        ),
    )
    op.create_index(
        op.f("ix_context_documents_org_id_kind_project_id"),
        "context_documents",
        ["org_id", "kind", "project_id"],
        unique=False,
    )
    op.create_table(
        "orgs",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_orgs")),
    )
    op.create_table(
        "projects",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "project_id", name=op.f("pk_projects")),
    )
    op.create_table(
        "service_accounts",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("service_account_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "service_account_id", name=op.f("pk_service_accounts")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_service_accounts_org_id_name")),
    )
    op.create_table(
        "teams",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("team_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "team_id", name=op.f("pk_teams")),
    )
    op.create_table(
        "users",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("org_id", "email", name=op.f("uq_users_org_id_email")),
    )
    op.create_table(
        "approval_requests",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("approval_request_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_approval_requests_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "approval_request_id", name=op.f("pk_approval_requests")),
    )
    op.create_index(
        op.f("ix_approval_requests_org_id_status"),
        "approval_requests",
        ["org_id", "status"],
        unique=False,
    )
    op.create_table(
        "compiled_packages",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("package_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_compiled_packages_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "package_id", name=op.f("pk_compiled_packages")),
        sa.UniqueConstraint(
            "org_id",
            "project_id",
            "environment",
            "revision",
            name=op.f("uq_compiled_packages_org_id_project_id_environment_revision"),
        ),
    )
    op.create_table(
        "exceptions",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("exception_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_exceptions_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "exception_id", name=op.f("pk_exceptions")),
    )
    op.create_index(
        op.f("ix_exceptions_org_id_project_id_status"),
        "exceptions",
        ["org_id", "project_id", "status"],
        unique=False,
    )
    op.create_table(
        "findings",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("finding_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("tool_name", sa.String(length=200), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_findings_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "finding_id", name=op.f("pk_findings")),
        sa.UniqueConstraint(
            "org_id",
            "project_id",
            "environment",
            "fingerprint",
            name=op.f("uq_findings_org_id_project_id_environment_fingerprint"),
        ),
    )
    op.create_index(
        op.f("ix_findings_org_id_project_id_status"),
        "findings",
        ["org_id", "project_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_findings_org_id_status"), "findings", ["org_id", "status"], unique=False
    )
    op.create_table(
        "jobs",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=True),
        sa.Column("job_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_jobs_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "job_id", name=op.f("pk_jobs")),
        sa.UniqueConstraint(
            "org_id", "idempotency_key", name=op.f("uq_jobs_org_id_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_jobs_org_id_status"), "jobs", ["org_id", "status"], unique=False)
    op.create_table(
        "promotions",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("promotion_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_promotions_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "promotion_id", name=op.f("pk_promotions")),
    )
    op.create_index(
        op.f("ix_promotions_org_id_project_id_status"),
        "promotions",
        ["org_id", "project_id", "status"],
        unique=False,
    )
    op.create_table(
        "remediation_specs",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("remediation_spec_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_remediation_specs_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "remediation_spec_id", name=op.f("pk_remediation_specs")),
    )
    op.create_index(
        op.f("ix_remediation_specs_org_id_project_id"),
        "remediation_specs",
        ["org_id", "project_id"],
        unique=False,
    )
    op.create_table(
        "reports",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("report_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=True),
        sa.Column("report_type", sa.String(length=64), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_reports_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "report_id", name=op.f("pk_reports")),
    )
    op.create_index(
        op.f("ix_reports_org_id_project_id"), "reports", ["org_id", "project_id"], unique=False
    )
    op.create_table(
        "task_packets",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("task_packet_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_task_packets_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "task_packet_id", name=op.f("pk_task_packets")),
    )
    op.create_index(
        op.f("ix_task_packets_org_id_project_id_status"),
        "task_packets",
        ["org_id", "project_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_task_packets_org_id_status"), "task_packets", ["org_id", "status"], unique=False
    )
    op.create_table(
        "approval_decisions",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("approval_request_id", sa.String(length=128), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "approval_request_id"],
            ["approval_requests.org_id", "approval_requests.approval_request_id"],
            name=op.f("fk_approval_decisions_approval_requests"),
        ),
        sa.PrimaryKeyConstraint(
            "org_id", "approval_request_id", name=op.f("pk_approval_decisions")
        ),
    )
    _install_append_only_triggers()


def _install_append_only_triggers() -> None:
    dialect = op.get_context().dialect.name
    statements = _PG_APPEND_ONLY if dialect == "postgresql" else _SQLITE_APPEND_ONLY
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # The triggers protect audit_events from DELETE; dropping the table removes them.
    op.drop_table("approval_decisions")
    op.drop_index(op.f("ix_task_packets_org_id_status"), table_name="task_packets")
    op.drop_index(op.f("ix_task_packets_org_id_project_id_status"), table_name="task_packets")
    op.drop_table("task_packets")
    op.drop_index(op.f("ix_reports_org_id_project_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_remediation_specs_org_id_project_id"), table_name="remediation_specs")
    op.drop_table("remediation_specs")
    op.drop_index(op.f("ix_promotions_org_id_project_id_status"), table_name="promotions")
    op.drop_table("promotions")
    op.drop_index(op.f("ix_jobs_org_id_status"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_findings_org_id_status"), table_name="findings")
    op.drop_index(op.f("ix_findings_org_id_project_id_status"), table_name="findings")
    op.drop_table("findings")
    op.drop_index(op.f("ix_exceptions_org_id_project_id_status"), table_name="exceptions")
    op.drop_table("exceptions")
    op.drop_table("compiled_packages")
    op.drop_index(op.f("ix_approval_requests_org_id_status"), table_name="approval_requests")
    op.drop_table("approval_requests")
    op.drop_table("users")
    op.drop_table("teams")
    op.drop_table("service_accounts")
    op.drop_table("projects")
    op.drop_table("orgs")
    op.drop_index(
        op.f("ix_context_documents_org_id_kind_project_id"), table_name="context_documents"
    )
    op.drop_table("context_documents")
    op.drop_table("audit_heads")
    op.drop_index(
        op.f("ix_audit_events_org_id_resource_type_resource_id"), table_name="audit_events"
    )
    op.drop_table("audit_events")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION pearl_audit_events_append_only()")
