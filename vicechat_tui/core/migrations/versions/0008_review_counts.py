"""Reviewed versions: how many of a review's changes were kept.

Revision ID: 0008
Revises: 0007

A version saved from the review screen (an applied reply, an AI edit, a restore, a merge)
records how many changes the review showed and how many were kept; other versions leave both
empty. New columns of an existing table: its row-level-security policies cover them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("section_version") as table:
        table.add_column(sa.Column("changes_kept", sa.Integer(), nullable=True))
        table.add_column(sa.Column("changes_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("section_version") as table:
        table.drop_column("changes_total")
        table.drop_column("changes_kept")
