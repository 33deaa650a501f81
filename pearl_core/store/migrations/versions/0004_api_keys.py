"""API keys of service accounts.

Rendered by ``alembic revision --autogenerate`` against a database at 0003 and
reviewed. The table is new, so nothing existing changes. Its primary key is
``key_id`` alone (not ``(org_id, key_id)`` like tenant rows): a presented key
is looked up by its public id before its org is known, so ids are unique
across orgs. Rows hold the key's HMAC digest, never its secret.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:12:57.944378
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("principal_id", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "principal_id"],
            ["service_accounts.org_id", "service_accounts.service_account_id"],
            name=op.f("fk_api_keys_service_accounts"),
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    op.create_index(
        op.f("ix_api_keys_org_id_principal_id"),
        "api_keys",
        ["org_id", "principal_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_api_keys_org_id_principal_id"), table_name="api_keys")
    op.drop_table("api_keys")
