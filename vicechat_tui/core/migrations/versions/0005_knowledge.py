"""Knowledge collections: a person's files, indexed into passages; attached to documents.

Revision ID: 0005
Revises: 0004

Tables `knowledge_collection` (owner, name), `knowledge_file` (path, content hash, status),
`knowledge_passage` (text, location, offsets; full-text indexed as `search_passage`) and
`document_knowledge` (which collections a document's chats draw on).

On PostgreSQL a collection, its files and its passages are its owner's alone: no share of a
document opens them to anyone else. An attachment is read by whoever can read the document
and made or removed by someone who may edit the document and owns the collection.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from vicechat_tui.core.search import schema
from vicechat_tui.core.search.indexes import PASSAGE_INDEX

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ME = "session_user"
_MY_COLLECTION = (
    "EXISTS (SELECT 1 FROM knowledge_collection c WHERE c.id = {table}.collection_id "
    f"AND c.owner = {_ME})"
)
_EDITABLE_DOCUMENT = (
    "EXISTS (SELECT 1 FROM document d WHERE d.id = document_knowledge.document_id "
    f"AND (d.owner = {_ME} OR EXISTS (SELECT 1 FROM document_share s "
    f"WHERE s.document_id = d.id AND s.\"user\" = {_ME} AND s.level = 'edit')))"
)


def _policies() -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """table → [(policy name, command, USING, WITH CHECK)]."""
    mine = f"owner = {_ME}"
    policies: dict[str, list[tuple[str, str, str | None, str | None]]] = {
        "knowledge_collection": [
            ("knowledge_collection_read", "SELECT", mine, None),
            ("knowledge_collection_create", "INSERT", None, mine),
            ("knowledge_collection_change", "UPDATE", mine, mine),
            ("knowledge_collection_delete", "DELETE", mine, None),
        ],
    }
    for table in ("knowledge_file", "knowledge_passage"):
        own = _MY_COLLECTION.format(table=table)
        policies[table] = [
            (f"{table}_read", "SELECT", own, None),
            (f"{table}_create", "INSERT", None, own),
            (f"{table}_change", "UPDATE", own, own),
            (f"{table}_delete", "DELETE", own, None),
        ]
    readable = "EXISTS (SELECT 1 FROM document d WHERE d.id = document_knowledge.document_id)"
    attachable = f"{_EDITABLE_DOCUMENT} AND {_MY_COLLECTION.format(table='document_knowledge')}"
    policies["document_knowledge"] = [
        ("document_knowledge_read", "SELECT", readable, None),
        ("document_knowledge_create", "INSERT", None, attachable),
        ("document_knowledge_change", "UPDATE", attachable, attachable),
        ("document_knowledge_delete", "DELETE", _EDITABLE_DOCUMENT, None),
    ]
    return policies


def upgrade() -> None:
    op.create_table(
        "knowledge_collection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner", "name", name="uq_knowledge_collection_name"),
    )
    op.create_index("ix_knowledge_collection_owner", "knowledge_collection", ["owner"])
    op.create_table(
        "knowledge_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_collection.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("collection_id", "path", name="uq_knowledge_file_path"),
    )
    op.create_table(
        "knowledge_passage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_collection.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "file_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_file.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_knowledge_passage_file_id", "knowledge_passage", ["file_id"])
    op.create_index(
        "ix_knowledge_passage_collection_id", "knowledge_passage", ["collection_id", "id"]
    )
    op.create_table(
        "document_knowledge",
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey("knowledge_collection.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_document_knowledge_collection_id", "document_knowledge", ["collection_id"])
    connection = op.get_bind()
    schema.install(connection, [PASSAGE_INDEX])
    if connection.dialect.name != "postgresql":
        return
    for table, policies in _policies().items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, command, using, check in policies:
            clauses = [f"CREATE POLICY {name} ON {table} FOR {command}"]
            if using is not None:
                clauses.append(f"USING ({using})")
            if check is not None:
                clauses.append(f"WITH CHECK ({check})")
            op.execute(" ".join(clauses))


def downgrade() -> None:
    schema.drop(op.get_bind(), [PASSAGE_INDEX])
    for table in ("document_knowledge", "knowledge_passage", "knowledge_file"):
        op.drop_table(table)
    op.drop_table("knowledge_collection")
