"""Releases: personal signing keys, uploaded bundles and their signatures.

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

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create signing_keys, releases and release_signatures."""
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("keyid", sa.String(64), nullable=False, unique=True),
        sa.Column("public", sa.JSON, nullable=False),
        sa.Column("encrypted_pem", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("audiences", sa.String(500), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.Column("prepared", sa.Text, nullable=True),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
    )
    op.create_table(
        "release_signatures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("keyid", sa.String(64), nullable=False),
        sa.Column("signature", sa.JSON, nullable=False),
        sa.Column("signed_at", TZ, nullable=False),
    )
    op.create_index("ix_release_signatures_once", "release_signatures",
                    ["release_id", "user_id"], unique=True)


def downgrade() -> None:
    """Drop them."""
    op.drop_table("release_signatures")
    op.drop_table("releases")
    op.drop_table("signing_keys")
