"""Usage records: sessions, completed services and 好差评 reported by terminals.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create usage_records."""
    op.create_table(
        "usage_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_usage_records_terminal_id", "usage_records", ["terminal_id"])
    op.create_index("ix_usage_records_kind_time", "usage_records", ["kind", "occurred_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_table("usage_records")
