"""Find and replace in the section editor: the find bar (mounted on first use) says what to
find; the editor selects the matches one by one and replaces one or all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vicechat_tui.widgets.section_editor_base import SectionEditorBase

if TYPE_CHECKING:
    from vicechat_tui.widgets.find_bar import FindBar


class EditorFind(SectionEditorBase):
    """The find bar's requests, and the find keys (ctrl+f, f3, shift+f3)."""

    def _find_bar(self) -> FindBar:
        from vicechat_tui.widgets.find_bar import FindBar

        bars = self.query_children(FindBar)
        if bars:
            return bars.first()
        bar = FindBar(id="find-bar", classes="-hidden")
        self.mount(bar, after=self.text_area)
        return bar

    def action_find(self, replacing: bool = False) -> None:
        """Open the find bar with the selected text (if any) to find."""
        if self.section_id is None:
            return
        selected = self.text_area.selected_text
        self.call_after_refresh(
            self._find_bar().open,
            needle=selected if selected and "\n" not in selected else None,
            replacing=replacing,
        )

    def action_replace(self) -> None:
        self.action_find(replacing=True)

    def action_find_next(self) -> None:
        self._step(forward=True)

    def action_find_previous(self) -> None:
        self._step(forward=False)

    def _matches(self) -> list[tuple[int, int]]:
        from vicechat_tui.widgets.find_bar import find_all

        return find_all(self.text_area.text, self._find_bar().needle)

    def _step(self, *, forward: bool, start: int | None = None) -> None:
        """Select the next (previous) match from the cursor, or from `start`."""
        from vicechat_tui.widgets.find_bar import step

        bar = self._find_bar()
        if not bar.needle:
            self.action_find()
            return
        matches = self._matches()
        if start is None:
            selected_start, selected_end = self._selected_span()
            start = selected_end if forward else selected_start
        found = step(matches, start, forward=forward)
        if found is not None:  # the focus stays where it is (the find bar, or the text)
            self.select_text_range(*found, focus=False)
        bar.show_count(matches.index(found) + 1 if found else None, len(matches))

    def on_find_bar_search_changed(self, message: FindBar.SearchChanged) -> None:
        message.stop()
        self._step(forward=True, start=self._selected_span()[0])

    def on_find_bar_step_requested(self, message: FindBar.StepRequested) -> None:
        message.stop()
        self._step(forward=message.forward)

    def on_find_bar_replace_requested(self, message: FindBar.ReplaceRequested) -> None:
        """Replace the selected match (then go to the next one), or every match at once."""
        from vicechat_tui.widgets.find_bar import replace_all

        message.stop()
        bar, text_area = self._find_bar(), self.text_area
        if self.section_id is None or not bar.needle:
            return
        if message.everywhere:
            text, count = replace_all(text_area.text, bar.needle, message.replacement)
            if count:
                text_area.replace(text, (0, 0), text_area.document.end)  # one undo step
            bar.show_count(None, 0)
            self.notify(f"Replaced {count} time{'s' if count != 1 else ''}.", timeout=3)
            return
        span = self._selected_span()
        if span in self._matches():
            from vicechat_tui.widgets.find_bar import location_of

            text = text_area.text
            start, end = (location_of(text, index) for index in span)
            text_area.replace(message.replacement, start, end)
            self._step(forward=True, start=span[0] + len(message.replacement))
        else:
            self._step(forward=True)

    def on_find_bar_closed(self, message: FindBar.Closed) -> None:
        message.stop()
        self.text_area.focus()
