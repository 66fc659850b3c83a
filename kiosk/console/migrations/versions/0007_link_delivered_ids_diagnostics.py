"""Delivered event/usage ids (a resend is stored once) and uploaded diagnostics bundles.

Revision ID: 0007_link
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_link"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create delivered_ids and diagnostics_bundles."""
    op.create_table(
        "delivered_ids",
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("uid", sa.String(32), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_delivered_ids_received_at", "delivered_ids", ["received_at"])
    op.create_table(
        "diagnostics_bundles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("command_id", sa.Integer, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_diagnostics_bundles_terminal_id", "diagnostics_bundles",
                    ["terminal_id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("diagnostics_bundles")
    op.drop_table("delivered_ids")
