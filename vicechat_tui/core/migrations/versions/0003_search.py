"""Full-text search: FTS5 tables kept by triggers (SQLite), GIN indexes (PostgreSQL).

Revision ID: 0003
Revises: 0002

Indexes document titles and descriptions, section titles and text, finished chat messages
and the web sources replies cite, and fills them from the rows already there (see
`vicechat_tui.core.search.schema`).
"""

from __future__ import annotations

from alembic import op

from vicechat_tui.core.search import schema
from vicechat_tui.core.search.indexes import SEARCH_INDEXES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema.install(op.get_bind(), SEARCH_INDEXES)


def downgrade() -> None:
    connection = op.get_bind()
    schema.drop(connection, SEARCH_INDEXES)
    schema.drop_functions(connection)
