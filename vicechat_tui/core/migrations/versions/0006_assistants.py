"""Assistants: a person's named chat profiles; replies and jobs record the one they used.

Revision ID: 0006
Revises: 0005

An assistant belongs to its owner alone (it is never shared): on PostgreSQL its row-level
security lets only the connected role (`session_user`) read, create, change or delete its
own. A section's chat names its assistant in its config (no column: the name is resolved
among the sender's own assistants when a message is sent).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MINE = "owner = session_user"
_POLICIES = [
    ("assistant_read", "SELECT", _MINE, None),
    ("assistant_create", "INSERT", None, _MINE),
    ("assistant_change", "UPDATE", _MINE, _MINE),
    ("assistant_delete", "DELETE", _MINE, None),
]


def upgrade() -> None:
    op.create_table(
        "assistant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(), nullable=True),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("temperature", sa.Float(), nullable=False),
        sa.Column("max_tokens", sa.Integer(), nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("web_search", sa.Boolean(), nullable=False),
        sa.Column("search_cycles", sa.Integer(), nullable=False),
        sa.Column("knowledge", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner", "name", name="uq_assistant_owner_name"),
    )
    op.create_index("ix_assistant_owner", "assistant", ["owner"])
    with op.batch_alter_table("chat_message") as batch:
        batch.add_column(sa.Column("assistant", sa.String(), nullable=True))
    with op.batch_alter_table("chat_job") as batch:
        batch.add_column(sa.Column("assistant", sa.String(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE assistant ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE assistant FORCE ROW LEVEL SECURITY")
    for name, command, using, check in _POLICIES:
        clauses = [f"CREATE POLICY {name} ON assistant FOR {command}"]
        if using is not None:
            clauses.append(f"USING ({using})")
        if check is not None:
            clauses.append(f"WITH CHECK ({check})")
        op.execute(" ".join(clauses))


def downgrade() -> None:
    with op.batch_alter_table("chat_job") as batch:
        batch.drop_column("assistant")
    with op.batch_alter_table("chat_message") as batch:
        batch.drop_column("assistant")
    op.drop_index("ix_assistant_owner", table_name="assistant")
    op.drop_table("assistant")  # its policies go with it
