"""Terminals keep a degraded flag and problem labels, so the fleet page counts and sorts in SQL.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add terminals.degraded and terminals.problems (filled by the next report)."""
    op.add_column("terminals", sa.Column("degraded", sa.Boolean, nullable=False,
                                         server_default=sa.false()))
    op.add_column("terminals", sa.Column("problems", sa.String(300), nullable=False,
                                         server_default=""))
    op.create_index("ix_terminals_fleet_order", "terminals", ["district", "site", "id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_terminals_fleet_order", "terminals")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("problems")
        batch.drop_column("degraded")
