"""Heartbeat ingest: a per-terminal count of pending commands, so a heartbeat looks for
commands only when there are some (docs/adr/0710-heartbeat-ingest-round-trips.md); the
terminal certificate's end and the admins' alert thresholds
(docs/adr/0711-configurable-alert-rules.md).

Revision ID: 0010_scale
Revises: 0009_vconsole
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_scale"
down_revision = "0009_vconsole"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add terminals.pending_commands (counting the commands already waiting),
    terminals.cert_not_after and alert_settings."""
    op.add_column("terminals", sa.Column("pending_commands", sa.Integer, nullable=False,
                                         server_default="0"))
    op.execute("UPDATE terminals SET pending_commands = (SELECT count(*) FROM commands "
               "WHERE commands.terminal_id = terminals.id AND commands.state = 'pending')")
    op.add_column("terminals", sa.Column("cert_not_after", sa.DateTime(timezone=True),
                                         nullable=True))
    op.create_table(
        "alert_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("alert_settings")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("cert_not_after")
        batch.drop_column("pending_commands")
