"""staff poll and period index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_estimates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("estimate", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("staff_estimates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_estimates_period"), ["period"], unique=False)

    op.create_table(
        "staff_votes",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("voter", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("period", "voter"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_requests", schema=None) as batch_op:
        batch_op.create_index("ix_survey_requests_sent_at", ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_requests_sent_at")

    op.drop_table("staff_votes")
    with op.batch_alter_table("staff_estimates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_estimates_period"))

    op.drop_table("staff_estimates")
