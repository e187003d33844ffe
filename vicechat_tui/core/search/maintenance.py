"""Rebuilding the search indexes of a database (`vicechat db reindex`)."""

from __future__ import annotations

import time

from sqlalchemy import create_engine

from vicechat_tui.core.database import sync_url, upgrade_to_head
from vicechat_tui.core.search import schema
from vicechat_tui.core.search.indexes import ALL_INDEXES


def reindex(url: str) -> float:
    """Bring the database to the latest schema and rebuild every search index from its rows,
    in one transaction; returns the seconds it took."""
    started = time.perf_counter()
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            schema.install(connection, ALL_INDEXES)
    finally:
        engine.dispose()
    return time.perf_counter() - started
