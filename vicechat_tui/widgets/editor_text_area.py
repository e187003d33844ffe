"""The section editor's text area: typing costs the same in a 50,000-word section as in a short one.

Textual's TextArea does three things per key whose cost grows with the whole text: the
tree-sitter document finds the edit's byte offset by summing every line above it and
parses again; the highlight map is rebuilt by querying the whole syntax tree; and every
drawn line asks the wrapped document for its height, a sum over all lines. Here:

- the syntax tree is parsed lazily, when highlights are next wanted (`LazyParseDocument`);
- in a long text (more than `LONG_TEXT_LINES` lines) the highlights are rebuilt once typing
  pauses for `HIGHLIGHT_PAUSE` seconds, not on every key (the colours of the lines being
  typed on catch up after the pause); a short text keeps them live;
- the wrapped document's height is the length of a list it keeps anyway (`QuickHeight`).

These reach into TextArea's internals (`_set_document`, `_build_highlight_map`, the
document's `_syntax_tree`/`_parser`/`_read_callable`, the wrapped document's
`_offset_to_line_info`); `tests/ui/test_long_sections.py` fails if a Textual release renames
them, and `benchmarks/bench_long_section.py` measures the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.document._document import Document
from textual.document._syntax_aware_document import SyntaxAwareDocument
from textual.document._wrapped_document import WrappedDocument
from textual.widgets.text_area import Selection

from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from textual.document._document import EditResult, Location
    from textual.timer import Timer
    from textual.widgets.text_area import Edit

LONG_TEXT_LINES = 400
"""From this many lines on, highlights wait for a pause in the typing."""
HIGHLIGHT_PAUSE = 1.0
"""Seconds without an edit before a long text's highlights are rebuilt."""


class LazyParseDocument(SyntaxAwareDocument):
    """A syntax-aware document that parses again only when its tree is next queried."""

    _stale = False

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        result = Document.replace_range(self, start, end, text)  # no byte offsets, no parse
        self._stale = True
        return result

    def query_syntax_tree(
        self,
        query: Any,
        start_point: tuple[int, int] | None = None,
        end_point: tuple[int, int] | None = None,
    ) -> dict[str, list[Any]]:
        if self._stale:
            assert self._parser is not None
            self._syntax_tree = self._parser.parse(self._read_callable)
            self._stale = False
        return super().query_syntax_tree(query, start_point, end_point)


class QuickHeight(WrappedDocument):
    """A wrapped document whose height is counted once per rewrap, not on every call."""

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class EditorTextArea(SafeTextArea):
    """`SafeTextArea` whose per-key cost does not grow with the length of the text."""

    def __init__(self, text: str = "", **options: Any) -> None:
        self._editing = False
        self._highlight_timer: Timer | None = None
        super().__init__(text, **options)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._follow_app_theme)

    async def _on_key(self, event: events.Key) -> None:
        """Escape drops the selection and keeps the focus in the text: TextArea's "indent"
        tab behaviour moves the focus on, and the next words typed went to the chat (f6,
        ctrl+b and ctrl+g move between the panes)."""
        if event.key == "escape":
            event.prevent_default()  # TextArea's own handler: the focus moving on
            self.selection = Selection.cursor(self.cursor_location)

    def _follow_app_theme(self) -> None:
        """Syntax colours readable on the app's theme: Textual's "css" theme draws fenced
        code faint on a light background, so light app themes get "github_light"."""
        self.theme = "css" if self.app.current_theme.dark else "github_light"

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        # same state, cheaper methods: the subclasses add no attributes of their own
        if type(self.document) is SyntaxAwareDocument:
            self.document.__class__ = LazyParseDocument
        if type(self.wrapped_document) is WrappedDocument:
            self.wrapped_document.__class__ = QuickHeight

    def edit(self, edit: Edit) -> EditResult:
        self._editing = True
        try:
            return super().edit(edit)
        finally:
            self._editing = False

    def _build_highlight_map(self) -> None:
        if not (self._editing and self.document.line_count > LONG_TEXT_LINES):
            self._stop_highlight_timer()
            super()._build_highlight_map()
            return
        self._line_cache.clear()  # the edited lines are drawn again, with the old colours
        if self._highlight_timer is None:
            self._highlight_timer = self.set_timer(HIGHLIGHT_PAUSE, self._highlight_after_pause)
        else:
            self._highlight_timer.reset()

    def _highlight_after_pause(self) -> None:
        self._highlight_timer = None
        super()._build_highlight_map()
        self.refresh()

    def _stop_highlight_timer(self) -> None:
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
            self._highlight_timer = None
