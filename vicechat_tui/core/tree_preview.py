"""The document tree's first page, read straight from a SQLite file with the standard library.

The first screen needs a page of document titles, not the ORM: importing SQLAlchemy, SQLModel
and pydantic costs more CPU than the whole of Textual (benchmarks/RESULTS.md, figure 9). So
the app reads this preview first and opens the core (`runtime.open_core`) only when the
person does something. The preview is only taken from a SQLite file that is already at
`HEAD_REVISION`; anything else (no file yet, a migration due, PostgreSQL, a damaged file)
gives None and the app opens the core at once, which says what is wrong in words.

`DocumentService.count` and `list_access` are the reference: the same documents, in the same
order, with the same level (tests/test_tree_preview.py compares them on the same data).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from vicechat_tui.core.files import user_path
from vicechat_tui.core.migrate import HEAD_REVISION
from vicechat_tui.core.place_preview import PlacePreview, PreviewSection, read_place

LEVEL_LABELS = {"owner", "edit", "view"}

_VISIBLE = "(document.owner = :user OR share.user IS NOT NULL) AND document.trashed_at IS NULL"
_COUNT = f"""
SELECT count(*) FROM document
LEFT JOIN document_share AS share ON share.document_id = document.id AND share.user = :user
WHERE {_VISIBLE}
"""
_PAGE = f"""
SELECT document.id, document.title, document.owner, share.level FROM document
LEFT JOIN document_share AS share ON share.document_id = document.id AND share.user = :user
WHERE {_VISIBLE}
ORDER BY document.updated_at DESC, document.id DESC
LIMIT :limit
"""


@dataclass(frozen=True, slots=True)
class PreviewLevel:
    """A level as the tree shows it (`services.access.Level` has the same labels)."""

    label: str


@dataclass(frozen=True, slots=True)
class PreviewDocument:
    id: int
    title: str
    owner: str


@dataclass(frozen=True, slots=True)
class PreviewAccess:
    """A listed document and the person's level on it (what `DocumentAccess` gives the tree)."""

    document: PreviewDocument
    level: PreviewLevel

    @property
    def owner(self) -> str:
        return self.document.owner

    @property
    def shared_with_me(self) -> bool:
        return self.level.label != "owner"


@dataclass(frozen=True, slots=True)
class TreePreview:
    """The first `limit` documents `user` sees in the SQLite file at `url`, and how many."""

    url: str
    """As `locations.resolve_database_url` gives it: the same string the core's `Database` has."""
    user: str
    total: int
    documents: list[PreviewAccess]
    limit: int
    place: PlacePreview | None = None
    """The remembered section (`core.place_preview`), when one was asked for and is there."""
    asked: tuple[int, int] | None = None
    """The (document id, section id) asked for: with `place` None, it is gone for `user`."""

    def section(self, section_id: int) -> PreviewSection | None:
        """The remembered section, if it is `section_id`."""
        place = self.place
        return place.section if place is not None and place.section.id == section_id else None

    def path_to(self, section_id: int) -> list[int] | None:
        """The remembered section's ancestors and itself, if it is `section_id`."""
        place = self.place
        return place.path if place is not None and place.section.id == section_id else None

    def gone(self, document_id: int, section_id: int) -> bool:
        """Whether the section was asked for and is not there for `user` (deleted, in the
        trash, no longer shared)."""
        return self.place is None and self.asked == (document_id, section_id)

    def matches(self, url: str, user: str) -> bool:
        """Whether the core opened at `url` for `user` sees what this preview showed."""
        return (url, user) == (self.url, self.user)


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///…` URL or a bare path (as `--db` takes it); None otherwise."""
    if "://" not in url:
        return user_path(url).resolve()
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    name = url[len(prefix) :]
    return Path(name) if name and name != ":memory:" else None


def read_tree_preview(
    url: str, user: str, limit: int, *, section: tuple[int, int] | None = None
) -> TreePreview | None:
    """The preview of the database at `url` for `user`, or None when it must be opened
    fully (`url` resolved by `locations.resolve_database_url`). `section` (document id,
    section id): the remembered place, read in the same transaction."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for every read below
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if revision != [(HEAD_REVISION,)]:
            return None
        names = {"user": user, "limit": limit}
        (total,) = connection.execute(_COUNT, names).fetchone()
        rows = connection.execute(_PAGE, names).fetchall()
        place = read_place(connection, user, *section) if section is not None else None
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    documents = []
    for document_id, title, owner, share_level in rows:
        label = "owner" if owner == user else str(share_level)
        if label not in LEVEL_LABELS:
            return None  # a level this preview does not know: let the core read it
        documents.append(
            PreviewAccess(PreviewDocument(document_id, title, owner), PreviewLevel(label))
        )
    return TreePreview(url, user, int(total), documents, limit, place, section)
