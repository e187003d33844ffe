"""Where the workspace was left in a database — document, section, cursor, scroll — kept
between runs (`ui_state`) and put back at the next start."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from vicechat_tui.core.tree_preview import TreePreview
    from vicechat_tui.ui_state import Place
    from vicechat_tui.widgets.section_editor import SectionEditor
    from vicechat_tui.widgets.tree_items import TreeItem


class PlaceMemory:
    """Notes the place per (database, person); puts the editor's cursor back once."""

    def __init__(self, workbench: Workbench) -> None:
        self.workbench = workbench
        self.preview: TreePreview | None = None
        """What the tree showed before the core opened (`core.tree_preview`)."""
        self._resume_at: Place | None = None
        """Where the editor was left last time, to put back once its section is open."""

    def key(self) -> str | None:
        """A name for (database, person), once either is known (the preview's or the core's)."""
        from vicechat_tui.ui_state import place_key

        core, preview = self.workbench.core, self.preview
        if core is not None:
            return place_key(core.database.url, core.user)
        return place_key(preview.url, preview.user) if preview is not None else None

    async def remember(self, item: TreeItem | None, editor: SectionEditor) -> None:
        """Note the document, section, cursor and scroll, for the next start on this database
        (the file is written off the event loop)."""
        from vicechat_tui.ui_state import Place, remember_place

        key = self.key()
        if key is None or item is None or item.kind == "more":
            return
        text_area = editor.text_area
        shown = editor.section_id is not None and editor.section_id == item.section_id
        cursor = text_area.cursor_location if shown else (0, 0)
        scroll = (round(text_area.scroll_x), round(text_area.scroll_y)) if shown else (0, 0)
        place = Place(item.document_id, item.section_id, cursor, scroll)
        await asyncio.to_thread(remember_place, key, place)

    def recall(self) -> Place | None:
        """The place remembered for this database; its cursor and scroll wait for
        `put_back` (or `forget`)."""
        from vicechat_tui.ui_state import remembered_place

        key = self.key()
        place = remembered_place(key) if key is not None else None
        if place is not None:
            self._resume_at = place
        return place

    def forget(self) -> None:
        """Put no cursor back (the remembered section could not be opened)."""
        self._resume_at = None

    def put_back(self, section_id: int, text_area: TextArea) -> None:
        """Put the editor's cursor and scroll where they were left (once, at start)."""
        place, self._resume_at = self._resume_at, None
        if place is None or place.section_id != section_id:
            return
        document = text_area.document
        row = min(place.cursor[0], document.line_count - 1)
        column = min(place.cursor[1], len(document.get_line(row)))
        text_area.move_cursor((row, column))
        text_area.call_after_refresh(text_area.scroll_to, *place.scroll, animate=False)
