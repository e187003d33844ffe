"""Trash: a deleted document or section is kept, hidden, until it is restored or purged.

Revision ID: 0007
Revises: 0006

`trashed_at` (when) and `trashed_by` (who) on document and section; on section also
`trashed_with`, the id of the section whose deletion took it (itself for that one), so a
subtree comes back whole and a section trashed earlier on its own stays in the trash.
Plain columns on tables that have their row-level security policies already (0004): the
policies decide who may read and change the rows; the services hide trashed ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("document", "section"):
        op.add_column(table, sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("trashed_by", sa.String(), nullable=True))
    op.add_column("section", sa.Column("trashed_with", sa.Integer(), nullable=True))
    op.create_index("ix_section_trashed_with", "section", ["trashed_with"])


def downgrade() -> None:
    op.drop_index("ix_section_trashed_with", table_name="section")
    with op.batch_alter_table("section") as batch:
        for column in ("trashed_with", "trashed_by", "trashed_at"):
            batch.drop_column(column)
    with op.batch_alter_table("document") as batch:
        for column in ("trashed_by", "trashed_at"):
            batch.drop_column(column)
