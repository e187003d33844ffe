"""A section as a tree row, without the ORM (the services and the start-up preview share it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SectionSummary:
    """A section without its content: what a tree row needs."""

    id: int
    document_id: int
    parent_id: int | None
    position: int
    title: str
    status: str
    child_count: int
