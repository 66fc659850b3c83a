"""Commands carry a duration (announcements on the attract screen).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add commands.hours."""
    op.add_column("commands", sa.Column("hours", sa.Integer, nullable=False,
                                        server_default="0"))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("commands") as batch:
        batch.drop_column("hours")
