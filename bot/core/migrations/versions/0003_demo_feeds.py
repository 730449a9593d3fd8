"""demo feeds: podcast.demo_sample marks the bundled sample feeds of `podbrief demo`

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `make migration` regenerates 0001 from models.py, which then already has the column
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("podcast")}
    if "demo_sample" in columns:
        return
    # a nullable column and an index: plain ALTER TABLE on SQLite too (no table rebuild)
    op.add_column(
        "podcast", sa.Column("demo_sample", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )
    op.create_index("ix_podcast_demo_sample", "podcast", ["demo_sample"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_podcast_demo_sample", table_name="podcast")
    op.drop_column("podcast", "demo_sample")
