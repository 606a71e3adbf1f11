"""the rollup epoch: a late write into an old period invalidates its rollup, also during a digest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    epoch = op.create_table(
        "rollup_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(epoch, [{"id": 1, "epoch": 0}])
    # Rollups built before this revision may hold counts that answers written later (demo data, a
    # late answer) made stale; they are rebuilt from the answers on the next digest.
    op.execute("DELETE FROM rollup_counts")
    op.execute("DELETE FROM rollup_periods")


def downgrade() -> None:
    op.drop_table("rollup_epoch")
