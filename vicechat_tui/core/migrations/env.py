"""Alembic environment: runs migrations on the URL given by the runner."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from vicechat_tui.core import models  # noqa: F401  (registers the tables)
from vicechat_tui.core.search.indexes import include_name

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,  # the search layer's FTS5 tables and GIN indexes
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
