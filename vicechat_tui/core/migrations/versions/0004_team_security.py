"""Team security: share levels, and on PostgreSQL row-level security on every table.

Revision ID: 0004
Revises: 0003

A share is now `view` (read only) or `edit`, and records the document's owner who made it.
On PostgreSQL the identity is the connection's login role (`session_user`), which only the
server decides: the `vicechat.user` setting of 0002, which any client could change, is gone.
Every table holding user content gets FORCE row-level security and a policy per command:

- document: read by its owner and the users it is shared with; created only as one's own;
  changed by the owner and `edit` shares; deleted by the owner only.
- document_share: read by the owner and the user it names; written by the owner only.
- section, section_version, chat_session, chat_message, chat_job: read when their document
  can be read, written when it can be changed (a version only under one's own name).

Rows of a deleted document go with it through the foreign keys' cascades, which PostgreSQL
runs past row-level security. Shares made before this revision let the other user edit.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ME = "session_user"
_EDIT_SHARE = (
    "EXISTS (SELECT 1 FROM document_share s WHERE s.document_id = {document} "
    f"AND s.\"user\" = {_ME} AND s.level = 'edit')"
)


def _readable(document: str) -> str:
    """Its document can be read (document's own policy decides which rows it sees)."""
    return f"EXISTS (SELECT 1 FROM document d WHERE d.id = {document})"


def _editable(document: str) -> str:
    """Its document can be changed: owned by the connected role or shared with it to edit."""
    shared = _EDIT_SHARE.format(document="d.id")
    return (
        f"EXISTS (SELECT 1 FROM document d WHERE d.id = {document} "
        f"AND (d.owner = {_ME} OR {shared}))"
    )


_VIA_SECTION = "(SELECT se.document_id FROM section se WHERE se.id = {table}.section_id)"
_VIA_SESSION = (
    "(SELECT se.document_id FROM chat_session cs JOIN section se ON se.id = cs.section_id "
    "WHERE cs.id = {table}.session_id)"
)
_DOCUMENT_OF = {
    "section": "section.document_id",
    "section_version": _VIA_SECTION.format(table="section_version"),
    "chat_session": _VIA_SECTION.format(table="chat_session"),
    "chat_message": _VIA_SESSION.format(table="chat_message"),
    "chat_job": _VIA_SESSION.format(table="chat_job"),
}
"""How each table below `document` reaches its document's id."""


def _policies() -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """table → [(policy name, command, USING, WITH CHECK)]."""
    shared_with_me = (
        "EXISTS (SELECT 1 FROM document_share s "
        f'WHERE s.document_id = document.id AND s."user" = {_ME})'
    )
    mine = f"owner = {_ME}"
    can_edit = f"({mine} OR {_EDIT_SHARE.format(document='document.id')})"
    share_owner = (
        f"owner = {_ME} AND EXISTS (SELECT 1 FROM document d "
        f"WHERE d.id = document_share.document_id AND d.owner = {_ME})"
    )
    policies: dict[str, list[tuple[str, str, str | None, str | None]]] = {
        "document": [
            ("document_read", "SELECT", f"({mine} OR {shared_with_me})", None),
            ("document_create", "INSERT", None, mine),
            ("document_change", "UPDATE", can_edit, can_edit),
            ("document_delete", "DELETE", mine, None),
        ],
        # Never looks at `document` when read: document's read policy reads this table.
        "document_share": [
            ("document_share_read", "SELECT", f'("user" = {_ME} OR owner = {_ME})', None),
            ("document_share_create", "INSERT", None, share_owner),
            ("document_share_change", "UPDATE", f"owner = {_ME}", share_owner),
            ("document_share_delete", "DELETE", f"owner = {_ME}", None),
        ],
    }
    for table, document in _DOCUMENT_OF.items():
        readable, editable = _readable(document), _editable(document)
        if table == "section_version":  # history: added under one's own name, never removed
            own = f"{editable} AND created_by = {_ME}"
            policies[table] = [
                (f"{table}_read", "SELECT", readable, None),
                (f"{table}_create", "INSERT", None, own),
                (f"{table}_change", "UPDATE", own, own),  # an autosave updates its version
            ]
            continue
        policies[table] = [
            (f"{table}_read", "SELECT", readable, None),
            (f"{table}_create", "INSERT", None, editable),
            (f"{table}_change", "UPDATE", editable, editable),
            (f"{table}_delete", "DELETE", editable, None),
        ]
    return policies


_OLD_POLICIES = {
    "document": "document_visible",
    "section": "section_visible",
    "chat_session": "chat_session_visible",
}
_OLD_ME = "current_setting('vicechat.user', true)"


def _create_policy(
    table: str, name: str, command: str, using: str | None, check: str | None
) -> None:
    clauses = [f"CREATE POLICY {name} ON {table} FOR {command}"]
    if using is not None:
        clauses.append(f"USING ({using})")
    if check is not None:
        clauses.append(f"WITH CHECK ({check})")
    op.execute(" ".join(clauses))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # the old policies would hide the rows the owner column is filled from
        for table, policy in _OLD_POLICIES.items():
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("document_share") as batch:
        batch.add_column(sa.Column("level", sa.String(), nullable=False, server_default="edit"))
        batch.add_column(sa.Column("owner", sa.String(), nullable=False, server_default=""))
    op.execute(
        "UPDATE document_share SET owner = "
        "(SELECT d.owner FROM document d WHERE d.id = document_share.document_id)"
    )
    with op.batch_alter_table("document_share") as batch:
        batch.alter_column("level", server_default=None)
        batch.alter_column("owner", server_default=None)
        batch.create_check_constraint("ck_document_share_level", "level IN ('view', 'edit')")
    if not postgres:
        return
    for table, policies in _policies().items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, command, using, check in policies:
            _create_policy(table, name, command, using, check)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table, policies in _policies().items():
            for name, *_ in policies:
                op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("document_share") as batch:
        batch.drop_constraint("ck_document_share_level", type_="check")
        batch.drop_column("owner")
        batch.drop_column("level")
    if not postgres:
        return
    visible = (
        f"(owner = {_OLD_ME} OR EXISTS (SELECT 1 FROM document_share s "
        f'WHERE s.document_id = document.id AND s."user" = {_OLD_ME}))'
    )
    children = {
        "section": "EXISTS (SELECT 1 FROM document d WHERE d.id = section.document_id)",
        "chat_session": "EXISTS (SELECT 1 FROM section s WHERE s.id = chat_session.section_id)",
    }
    for table in _OLD_POLICIES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY document_visible ON document USING {visible} WITH CHECK {visible}")
    for table, condition in children.items():
        op.execute(f"CREATE POLICY {table}_visible ON {table} USING ({condition})")
