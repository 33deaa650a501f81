"""Ingest runs; findings' cross-tool key and content hash.

Rendered by ``alembic revision --autogenerate`` against a database at 0001 and
reviewed. Both new ``findings`` columns are nullable: rows stored before this
revision have no content hash, and the next scan that reports them writes it
(a NULL hash never equals a computed one, so the finding counts as updated
once). The downgrade drops columns in batch mode so SQLite rebuilds the table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:28:00.309109
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("ingest_id", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.String(length=128), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("finding_ids", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "project_id"],
            ["projects.org_id", "projects.project_id"],
            name=op.f("fk_ingest_runs_projects"),
        ),
        sa.PrimaryKeyConstraint("org_id", "ingest_id", name=op.f("pk_ingest_runs")),
        sa.UniqueConstraint(
            "org_id", "idempotency_key", name=op.f("uq_ingest_runs_org_id_idempotency_key")
        ),
    )
    op.create_index(
        op.f("ix_ingest_runs_org_id_project_id_environment_created_at"),
        "ingest_runs",
        ["org_id", "project_id", "environment", "created_at"],
        unique=False,
    )
    op.add_column("findings", sa.Column("cross_tool_key", sa.String(length=200), nullable=True))
    op.add_column("findings", sa.Column("content_hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_findings_org_id_project_id_environment_cross_tool_key"),
        "findings",
        ["org_id", "project_id", "environment", "cross_tool_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_findings_org_id_project_id_environment_cross_tool_key"), table_name="findings"
    )
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("content_hash")
        batch.drop_column("cross_tool_key")
    op.drop_index(
        op.f("ix_ingest_runs_org_id_project_id_environment_created_at"), table_name="ingest_runs"
    )
    op.drop_table("ingest_runs")
