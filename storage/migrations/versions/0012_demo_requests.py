"""terminal try-outs are marked, so the figures leave them out

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_requests") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Console surveys before this revision were terminal try-outs too (touchpoint "console").
    op.execute(
        "UPDATE survey_requests SET demo = true WHERE interaction_id IN "
        "(SELECT id FROM interactions WHERE touchpoint = 'console')"
    )
    op.execute("DELETE FROM rollup_counts")  # rebuilt without them on the next digest
    op.execute("DELETE FROM rollup_periods")


def downgrade() -> None:
    with op.batch_alter_table("survey_requests") as batch:
        batch.drop_column("demo")
