"""Staged rollout: central terminal groups, each release's rollout stage, adoption reports.

Revision ID: 0008_rollout
Revises: 0007_link
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_rollout"
down_revision = "0007_link"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create terminal_groups, rollouts and release_adoptions."""
    op.create_table(
        "terminal_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=False),
    )
    op.create_index("ix_terminal_groups_once", "terminal_groups",
                    ["terminal_id", "group_name"], unique=True)
    op.create_index("ix_terminal_groups_group_name", "terminal_groups", ["group_name"])
    # The group typed at enrolment becomes the terminal's first central group.
    op.execute("INSERT INTO terminal_groups (terminal_id, group_name) "
               "SELECT id, group_name FROM terminals WHERE group_name <> ''")
    op.create_table(
        "rollouts",
        sa.Column("release_id", sa.Integer,
                  sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("pilot_group", sa.String(64), nullable=False),
        sa.Column("percent", sa.Integer, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("paused_reason", sa.String(200), nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("failures_accepted", sa.Integer, nullable=False),
        sa.Column("max_failures", sa.Integer, nullable=False),
        sa.Column("max_failure_percent", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "release_adoptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("terminal_id", sa.String(64),
                  sa.ForeignKey("terminals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_release_adoptions_once", "release_adoptions",
                    ["version", "terminal_id"], unique=True)
    op.create_index("ix_release_adoptions_version", "release_adoptions", ["version"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("release_adoptions")
    op.drop_table("rollouts")
    op.drop_table("terminal_groups")
