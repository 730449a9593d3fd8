"""feed categories: podcast.categories (itunes:category, podcast:category) for topic matching

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `make migration` regenerates 0001 from models.py, which then already has the column
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("podcast")}
    if "categories" not in columns:
        op.add_column("podcast", sa.Column("categories", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("podcast", "categories")
