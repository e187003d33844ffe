"""What the document tree reads from before the core is open.

The first page of documents comes from a preview read without the ORM (`core.tree_preview`),
and so do the sections on the way down to the remembered one (`core.place_preview`);
everything else the tree asks for — other sections' children, the next page — waits for the
core (asking for it opens it), so a key pressed on the first screen does what it says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.section_rows import SectionSummary
    from vicechat_tui.core.tree_preview import TreePreview
    from vicechat_tui.widgets.tree_items import ListedAccess

OpenCore = Callable[[], Awaitable["VicechatCore"]]


class PreviewDocuments:
    def __init__(self, preview: TreePreview, open_core: OpenCore) -> None:
        self._preview = preview
        self._open_core = open_core

    async def count(self) -> int:
        return self._preview.total

    async def list_access(
        self, *, offset: int = 0, limit: int | None = None
    ) -> Sequence[ListedAccess]:
        if offset == 0 and limit == self._preview.limit:
            return self._preview.documents
        core = await self._open_core()
        return await core.documents.list_access(offset=offset, limit=limit)


class PreviewSections:
    def __init__(self, preview: TreePreview, open_core: OpenCore) -> None:
        self._place = preview.place
        self._open_core = open_core

    async def children(
        self, document_id: int, parent_id: int | None = None
    ) -> Sequence[SectionSummary]:
        rows = self._place.children(document_id, parent_id) if self._place else None
        if rows is not None:
            return rows
        core = await self._open_core()
        return await core.sections.children(document_id, parent_id)


class PreviewSource:
    """A `TreeSource`: the preview's first page and place, the core for everything else."""

    def __init__(self, preview: TreePreview, open_core: OpenCore) -> None:
        self.documents = PreviewDocuments(preview, open_core)
        self.sections = PreviewSections(preview, open_core)
