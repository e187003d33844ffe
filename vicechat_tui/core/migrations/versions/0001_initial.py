"""Initial schema: documents, sections, versions, chat sessions, messages and jobs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _times() -> list[sa.Column[datetime]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _cascade(column: str, target: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        column, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        *_times(),
    )
    op.create_index("ix_document_owner", "document", ["owner"])
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cascade("document_id", "document.id"),
        _cascade("parent_id", "section.id", nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_times(),
    )
    op.create_index("ix_section_document_id", "section", ["document_id"])
    op.create_index("ix_section_parent_id", "section", ["parent_id"])
    op.create_index(
        "ix_section_doc_parent_pos", "section", ["document_id", "parent_id", "position"]
    )
    op.create_table(
        "section_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cascade("section_id", "section.id"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_section_version_section_id", "section_version", ["section_id"])
    op.create_table(
        "chat_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cascade("section_id", "section.id"),
        sa.Column("config", sa.JSON(), nullable=False),
        *_times(),
        sa.UniqueConstraint("section_id", name="uq_chat_session_section"),
    )
    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cascade("session_id", "chat_session.id"),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("usage", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        *_times(),
    )
    op.create_index("ix_chat_message_session_id_id", "chat_message", ["session_id", "id"])
    op.create_table(
        "chat_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cascade("session_id", "chat_session.id"),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("step_label", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("error_detail", sa.String(), nullable=True),
        sa.Column("user_message_id", sa.Integer(), nullable=True),
        sa.Column("result_message_id", sa.Integer(), nullable=True),
        sa.Column("runner", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_chat_job_session_id", "chat_job", ["session_id"])
    op.create_index("ix_chat_job_section_id", "chat_job", ["section_id"])
    op.create_index("ix_chat_job_status", "chat_job", ["status"])


def downgrade() -> None:
    for table in (
        "chat_job",
        "chat_message",
        "chat_session",
        "section_version",
        "section",
        "document",
    ):
        op.drop_table(table)
