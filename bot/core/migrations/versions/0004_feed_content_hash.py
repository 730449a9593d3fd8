"""feed content hash: podcast.content_hash lets a poll skip parsing a body it already stored

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `make migration` regenerates 0001 from models.py, which then already has the column
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("podcast")}
    if "content_hash" not in columns:
        op.add_column(
            "podcast",
            sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        )


def downgrade() -> None:
    op.drop_column("podcast", "content_hash")
