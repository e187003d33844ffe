"""Document sharing; on PostgreSQL, row-level security that enforces ownership.

Revision ID: 0002
Revises: 0001

The application sets `vicechat.user` on every PostgreSQL connection. Policies make a
document, its sections and their chats visible only to the owner and the users the document
is shared with. (Superusers bypass row-level security, so a team connects as a normal role.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ME = "current_setting('vicechat.user', true)"
_DOCUMENT_VISIBLE = (
    f"(owner = {_ME} OR EXISTS (SELECT 1 FROM document_share s "
    f'WHERE s.document_id = document.id AND s."user" = {_ME}))'
)
_CHILD_POLICIES = {
    "section": "EXISTS (SELECT 1 FROM document d WHERE d.id = section.document_id)",
    "chat_session": "EXISTS (SELECT 1 FROM section s WHERE s.id = chat_session.section_id)",
}


def upgrade() -> None:
    op.create_table(
        "document_share",
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user", sa.String(), primary_key=True),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE document ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE document FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY document_visible ON document USING {_DOCUMENT_VISIBLE} "
        f"WITH CHECK {_DOCUMENT_VISIBLE}"
    )
    for table, condition in _CHILD_POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_visible ON {table} USING ({condition})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS document_visible ON document")
        op.execute("ALTER TABLE document DISABLE ROW LEVEL SECURITY")
        for table in _CHILD_POLICIES:
            op.execute(f"DROP POLICY IF EXISTS {table}_visible ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_table("document_share")
