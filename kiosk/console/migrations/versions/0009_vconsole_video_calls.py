"""视频帮办: one row per video-help call (no personal data) and a badge number for staff.

Revision ID: 0009_vconsole
Revises: 0008_rollout
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_vconsole"
down_revision = "0008_rollout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create video_calls; add users.badge."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("badge", sa.String(16), nullable=False, server_default=""))
    op.create_table(
        "video_calls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("service_title", sa.String(128), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("step_title", sa.String(128), nullable=False),
        sa.Column("share_screen", sa.Boolean, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("staff_user_id", sa.Integer,
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("staff_name", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
    )
    op.create_index("ix_video_calls_terminal_id", "video_calls", ["terminal_id"])
    op.create_index("ix_video_calls_requested_at", "video_calls", ["requested_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("video_calls")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("badge")
