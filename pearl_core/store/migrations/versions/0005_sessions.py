"""Password hashes and refresh-token sessions of human users.

Written to match ``alembic revision --autogenerate`` against a database at
0004 (the drift check in the test suite holds it to ``tables.py``). Both
tables are new, so nothing existing changes. ``user_passwords`` keeps each
user's scrypt hash apart from the user document. ``refresh_tokens`` is keyed
by ``jti`` alone (a presented token is looked up before its org is known,
like an API key) and stores ids and times, never a token.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 10:04:12.311209
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_passwords",
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "user_id"],
            ["users.org_id", "users.user_id"],
            name=op.f("fk_user_passwords_users"),
        ),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_user_passwords")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=128), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id", "subject_id"],
            ["users.org_id", "users.user_id"],
            name=op.f("fk_refresh_tokens_users"),
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(
        op.f("ix_refresh_tokens_org_id_family_id"),
        "refresh_tokens",
        ["org_id", "family_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_refresh_tokens_org_id_subject_id"),
        "refresh_tokens",
        ["org_id", "subject_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_refresh_tokens_org_id_subject_id"), table_name="refresh_tokens")
    op.drop_index(op.f("ix_refresh_tokens_org_id_family_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_table("user_passwords")
