"""Search everything: results as you type, a preview, and enter to jump to the match.

Typing restarts a short pause (`DEBOUNCE_SECONDS`); then one search runs at a time in a
worker (the database work is off the event loop). While it runs, further typing only
records the latest query, which runs next; each result carries the number of the query it
answers, and a result older than the one shown is dropped, so stale results never replace
newer ones. The results that fit the list are drawn first and the rest after that frame;
the preview is read again only for another result, and restyled only for another query.
The chosen result is returned to the workspace as a `SearchTarget`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vicechat_tui.core.search.query import Kind, SearchQuery
from vicechat_tui.core.search.snippets import match_spans
from vicechat_tui.core.text_safety import make_visible_line, make_visible_title
from vicechat_tui.failures import run_task
from vicechat_tui.widgets.component_style import component_style
from vicechat_tui.widgets.safe_text import literal

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.services.search import SearchHit, SearchResults

DEBOUNCE_SECONDS = 0.025
"""The pause after a key before searching: keys closer together (a held key, a burst) make
one search; a paste is one change anyway, and typing during a search waits for it to end."""
PREVIEW_CHARS = 3_000
"""The preview shows about this much text around the first match."""
RESULT_LIMIT = 50
KIND_LABELS = {
    Kind.DOCUMENT: "document",
    Kind.SECTION: "section",
    Kind.CHAT: "chat",
    Kind.SOURCE: "source",
}
HELP = (
    'words · "a phrase" · -not · prefix* · in:sections,chats,sources · doc:this · '
    "status:draft · after:2024-05-01 · before:2024-06"
)


@dataclass(frozen=True)
class SearchTarget:
    """Where to go: the chosen result and the query that found it (to find the match)."""

    hit: SearchHit
    query: SearchQuery


class SearchScreen(ModalScreen["SearchTarget | None"]):
    """Type to search documents, sections, chats and sources; enter goes to the result."""

    DEFAULT_CSS = """
    SearchScreen { align: center middle; }
    SearchScreen > #search-dialog {
        width: 96%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SearchScreen #search-input { margin: 0 0 0 0; }
    SearchScreen #search-status { height: auto; color: $text-muted; padding: 0 1; }
    SearchScreen #search-status.-hint { color: $text-warning; }
    SearchScreen #search-body { height: 1fr; }
    SearchScreen #search-results { width: 1fr; height: 1fr; border: none; }
    SearchScreen #search-preview-box {
        width: 1fr; height: 1fr; padding: 0 1; border-left: solid $panel-lighten-2;
    }
    SearchScreen .search--match { text-style: bold reverse; }
    SearchScreen .search--kind { color: $text-muted; }
    SearchScreen .search--title { text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"search--match", "search--kind", "search--title"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "move(1)", "Next result", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.previous"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="search.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="search.page_up"),
    ]

    search_input = query_one("#search-input", Input)
    results_list = query_one("#search-results", OptionList)
    status = query_one("#search-status", Static)
    preview = query_one("#search-preview", Static)

    def __init__(self, core: VicechatCore, *, current_document_id: int | None = None) -> None:
        super().__init__()
        self.core = core
        self.current_document_id = current_document_id
        self.hits: list[SearchHit] = []
        self.shown_query: SearchQuery | None = None
        self.wanted = ""
        self.wanted_generation = 0
        """Bumped on every change of the query text."""
        self.shown_generation = 0
        """The query whose results are on screen."""
        self._asked_generation = 0
        self._searching = False
        self._pause: Timer | None = None
        self._preview_for: SearchHit | None = None
        self._preview_shown: tuple[object, ...] | None = None
        """What the preview shows: the result's place and the query's terms."""
        self._preview_text: tuple[object, str] | None = None
        """The last result's place and its full text (read once for several queries)."""
        self._enter_waiting = False
        """Enter was pressed before the latest query's results came: choose when they do."""

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog"):
            yield Input(placeholder="Search everything…", id="search-input")
            yield Static(HELP, id="search-status", markup=False)
            with Horizontal(id="search-body"):
                yield OptionList(id="search-results")
                with VerticalScroll(id="search-preview-box"):
                    yield Static("", id="search-preview")

    def on_mount(self) -> None:
        self.search_input.focus()

    # -- searching ---------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.wanted = event.value
        self.wanted_generation += 1
        if self._pause is not None:
            self._pause.stop()
        self._pause = self.set_timer(DEBOUNCE_SECONDS, self._start_searching, name="search")

    def _start_searching(self) -> None:
        self._pause = None
        if not self._searching:
            self._searching = True
            run_task(self, self._search_latest(), description="Search", group="search")

    async def _search_latest(self) -> None:
        """Search for the latest text until no newer text is waiting."""
        try:
            while self._asked_generation != self.wanted_generation:
                generation, text = self.wanted_generation, self.wanted
                self._asked_generation = generation
                results = await self.core.search.search(
                    text, current_document_id=self.current_document_id, limit=RESULT_LIMIT
                )
                self.show_results(generation, results)
        finally:
            self._searching = False

    def show_results(self, generation: int, results: SearchResults) -> None:
        """Show `results` of query number `generation`, unless newer ones are shown."""
        if generation <= self.shown_generation:
            return
        self.shown_generation = generation
        self.hits = list(results.hits)
        self.shown_query = results.query
        options = self.results_list
        options.clear_options()
        first_page = max(1, options.scrollable_content_region.height // 2 + 1)
        options.add_options([Option(self._result_text(hit)) for hit in self.hits[:first_page]])
        if len(self.hits) > first_page:
            self.call_after_refresh(self._add_rest, generation, first_page)
        if self.hits:
            options.highlighted = 0
        else:
            self.preview.update("")
            self._preview_shown = None
        self._show_status(results)
        if self._enter_waiting and generation == self.wanted_generation:
            self._enter_waiting = False
            self._choose(options.highlighted)

    def _add_rest(self, generation: int, shown: int) -> None:
        """The results below the first page (each result is two lines), once it is drawn."""
        if generation == self.shown_generation:
            self.results_list.add_options(
                [Option(self._result_text(hit)) for hit in self.hits[shown:]]
            )

    def _show_status(self, results: SearchResults) -> None:
        status = self.status
        if results.hints:
            status.update(literal(" ".join(results.hints)))
        elif not results.query.text.strip():
            status.update(HELP)
        else:
            count = len(results.hits)
            more = "+" if count >= RESULT_LIMIT else ""
            status.update(f"{count}{more} result{'s' if count != 1 else ''} · enter: go there")
        status.set_class(bool(results.hints), "-hint")

    # -- showing results ---------------------------------------------------------------------

    def _styled(self, text: str, spans: tuple[tuple[int, int], ...], base: str = "") -> Text:
        """`text` on one line with the `spans` marked as matches."""
        shown = Text(make_visible_title(text), style=self._style(base) if base else "", end="")
        match = self._style("search--match")
        for start, end in spans:
            shown.stylize(match, start, end)
        return shown

    def _style(self, component: str) -> Style:
        return component_style(self, component)

    def _result_text(self, hit: SearchHit) -> Text:
        kind = KIND_LABELS[hit.kind] + (f" · {hit.role}" if hit.role else "")
        line = Text(end="")  # the kind's style on the kind only, not on the whole result
        line.append(f"{kind}  ", self._style("search--kind"))
        line.append_text(self._styled(hit.title, hit.title_highlights, "search--title"))
        if hit.kind is not Kind.DOCUMENT:
            line.append(f" · {make_visible_title(hit.document_title)}", self._style("search--kind"))
        line.append("\n")
        snippet = Text(no_wrap=True, overflow="ellipsis", end="")
        for piece, matched in hit.snippet.segments:
            snippet.append(
                make_visible_line(piece), self._style("search--match") if matched else ""
            )
        line.append_text(snippet)
        line.no_wrap, line.overflow = True, "ellipsis"
        return line

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            hit = self.hits[event.option_index]
            self._preview_for = hit
            if self._preview_shown == self._preview_key(hit):
                return  # the same text with the same matches marked
            run_task(self, self._load_preview(hit), description="Preview", group="search-preview")

    def _preview_key(self, hit: SearchHit) -> tuple[object, ...]:
        terms = self.shown_query.included if self.shown_query is not None else ()
        return (_place(hit), terms)

    async def _load_preview(self, hit: SearchHit) -> None:
        """The text around the match, all matches marked (read from the database once)."""
        place = _place(hit)
        if self._preview_text is not None and self._preview_text[0] == place:
            text = self._preview_text[1]
        else:
            text = await self._full_text(hit)
            self._preview_text = (place, text)
        if hit is not self._preview_for or self.shown_query is None:
            return
        spans = match_spans(text, self.shown_query)
        first = spans[0][0] if spans else 0
        start = max(0, first - PREVIEW_CHARS // 3)
        end = min(len(text), start + PREVIEW_CHARS)
        window = text[start:end]
        shown = literal(("…" if start else "") + window + ("…" if end < len(text) else ""))
        offset = 1 if start else 0
        match = self._style("search--match")
        for span_start, span_end in spans:
            if span_start >= start and span_end <= end:
                shown.stylize(match, span_start - start + offset, span_end - start + offset)
        heading = Text(end="\n")
        heading.append_text(self._styled(hit.title, hit.title_highlights, "search--title"))
        heading.append("\n")
        self.preview.update(Text.assemble(heading, shown))
        self._preview_shown = self._preview_key(hit)

    async def _full_text(self, hit: SearchHit) -> str:
        core = self.core
        if hit.kind is Kind.DOCUMENT:
            return (await core.documents.get(hit.document_id)).description
        if hit.kind is Kind.SECTION and hit.section_id is not None:
            return (await core.sections.get(hit.section_id)).content
        message = await core.chats.get_message(hit.message_id) if hit.message_id else None
        if message is None:
            return hit.snippet.text
        if hit.kind is Kind.SOURCE:
            return "\n\n".join(
                "\n".join(str(source.get(key) or "") for key in ("title", "url", "snippet"))
                for source in message.sources
                if isinstance(source, dict)
            )
        return message.content

    # -- choosing ----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        options = self.results_list
        if not self.hits:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(len(self.hits) - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown_generation != self.wanted_generation:
            self._enter_waiting = True  # results for what is typed are on their way
            return
        self._choose(self.results_list.highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.hits) or self.shown_query is None:
            return
        self.dismiss(SearchTarget(self.hits[index], self.shown_query))

    def action_close(self) -> None:
        self.dismiss(None)


def _place(hit: SearchHit) -> tuple[object, ...]:
    """Where a result's text lives (the same place may be found by another query)."""
    return (hit.kind, hit.document_id, hit.section_id, hit.message_id)
