"""how each comment's polarity was found; the text model's embedding cache

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("sentiment_method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    # Every comment scored before this revision was scored by TextBlob (English only).
    op.execute("UPDATE answers SET sentiment_method = 'textblob' WHERE sentiment IS NOT NULL")
    op.create_table(
        "text_embeddings",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("text_embeddings")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("sentiment_method")
