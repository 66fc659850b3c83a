"""Heartbeat ingest: a per-terminal count of pending commands, so a heartbeat looks for
commands only when there are some (docs/adr/0710-heartbeat-ingest-round-trips.md).

Revision ID: 0007_scale
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_scale"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add terminals.pending_commands and count the commands already waiting."""
    op.add_column("terminals", sa.Column("pending_commands", sa.Integer, nullable=False,
                                         server_default="0"))
    op.execute("UPDATE terminals SET pending_commands = (SELECT count(*) FROM commands "
               "WHERE commands.terminal_id = terminals.id AND commands.state = 'pending')")


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("pending_commands")
