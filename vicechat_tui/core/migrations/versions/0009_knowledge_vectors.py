"""Knowledge vectors: a passage's embedding, for hybrid (keyword + vector) retrieval.

Revision ID: 0009
Revises: 0008

Table `knowledge_vector`: one row per passage (removed with it), the collection (for the
search's filter and the policies), the embedding model that made it, its size and its
float32 numbers. On PostgreSQL, like the passages, a collection's vectors are its owner's
alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_MINE = (
    "EXISTS (SELECT 1 FROM knowledge_collection c WHERE c.id = knowledge_vector.collection_id "
    "AND c.owner = session_user)"
)
_POLICIES = (
    ("knowledge_vector_read", "SELECT", _MINE, None),
    ("knowledge_vector_create", "INSERT", None, _MINE),
    ("knowledge_vector_change", "UPDATE", _MINE, _MINE),
    ("knowledge_vector_delete", "DELETE", _MINE, None),
)


def upgrade() -> None:
    op.create_table(
        "knowledge_vector",
        sa.Column(
            "passage_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_passage.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_collection.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_index(
        "ix_knowledge_vector_collection_id", "knowledge_vector", ["collection_id", "model"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE knowledge_vector ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE knowledge_vector FORCE ROW LEVEL SECURITY")
    for name, command, using, check in _POLICIES:
        clauses = [f"CREATE POLICY {name} ON knowledge_vector FOR {command}"]
        if using is not None:
            clauses.append(f"USING ({using})")
        if check is not None:
            clauses.append(f"WITH CHECK ({check})")
        op.execute(" ".join(clauses))


def downgrade() -> None:
    op.drop_table("knowledge_vector")
