"""Decision log: one row per policy evaluation.

Rendered by ``alembic revision --autogenerate`` against a PostgreSQL database
at 0002 and reviewed. The table is new, so nothing existing changes; rows are
written by ``DecisionLogRepository.add`` only (no update path). Both indexes
end in ``decision_id`` so ``since()`` pages by ``(decided_at, decision_id)``
from the index, with or without an entrypoint filter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:11:03.961352
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("decision_id", sa.String(length=128), nullable=False),
        sa.Column("entrypoint", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bundle_hash", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=100), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "decision_id", name=op.f("pk_decisions")),
    )
    op.create_index(
        op.f("ix_decisions_org_id_decided_at_decision_id"),
        "decisions",
        ["org_id", "decided_at", "decision_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_decisions_org_id_entrypoint_decided_at_decision_id"),
        "decisions",
        ["org_id", "entrypoint", "decided_at", "decision_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_decisions_org_id_entrypoint_decided_at_decision_id"), table_name="decisions"
    )
    op.drop_index(op.f("ix_decisions_org_id_decided_at_decision_id"), table_name="decisions")
    op.drop_table("decisions")
