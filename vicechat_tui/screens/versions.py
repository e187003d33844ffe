"""A section's saved versions: pick one to preview it, compare it, restore it.

Compare (c) shows the highlighted version against the current text in the review screen's
diff view, or against the version marked with m (marking is a toggle).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from vicechat_tui.core.review.sources import source_label
from vicechat_tui.failures import run_task
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from vicechat_tui.core.models import SectionVersion


class VersionReader(Protocol):
    """Where the versions come from (the core's section service)."""

    async def versions(self, section_id: int) -> list[SectionVersion]: ...


def format_age(then: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', else the date."""
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return then.strftime("%Y-%m-%d")


class VersionsScreen(ModalScreen[int | None]):
    """Returns the id of the version to restore, or None."""

    DEFAULT_CSS = """
    VersionsScreen {
        align: center middle;
        #dialog {
            width: 90%; height: 85%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #dialog-title { text-style: bold; padding: 0 1; }
        #body { height: 1fr; }
        #version-list { width: 50; height: 1fr; }
        #preview { width: 1fr; height: 1fr; }
        #buttons { height: auto; align-horizontal: right; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="versions.close"),
        Binding("r", "restore", "Restore", id="versions.restore"),
        Binding("c", "compare", "Compare", id="versions.compare"),
        Binding("m", "mark", "Mark to compare", id="versions.mark"),
    ]

    version_list = query_one("#version-list", OptionList)
    preview = query_one("#preview", TextArea)

    def __init__(
        self, sections: VersionReader, section_id: int, *, now: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self.sections = sections
        self.section_id = section_id
        self.now = now
        self.versions: list[SectionVersion] = []
        self.marked: int | None = None
        """The index of the version marked to compare with (None: the current text)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Versions", id="dialog-title")
            with Horizontal(id="body"):
                yield OptionList(id="version-list")
                yield SafeTextArea("", read_only=True, soft_wrap=True, id="preview")
            with Horizontal(id="buttons"):
                yield Button("Close (esc)", id="close")
                yield Button("Compare (c)", id="compare")
                yield Button("Restore (r)", id="restore", variant="primary", disabled=True)

    def on_mount(self) -> None:
        run_task(self, self._load(), description="Read the versions", group="load")

    async def _load(self) -> None:
        self.versions = await self.sections.versions(self.section_id)
        now = self.now()
        options = [self._option(index, now) for index in range(len(self.versions))]
        self.version_list.add_options(options)
        if options:
            self.version_list.highlighted = 0
        self.version_list.focus()
        if self.versions:
            title = self.versions[0].title
            self.query_one("#dialog-title", Label).update(plain(f"Versions of “{title}”"))

    def _option(self, index: int, now: datetime) -> Option:
        version = self.versions[index]
        label = Text.assemble(
            ("◆ " if index == self.marked else "  ", "bold"),
            (f"v{version.version:<4}", "bold"),
            f"{source_label(version.source):<14}",
            (f"{format_age(version.created_at, now):<12}", "dim"),
        )
        if index == 0:
            label.append("current", style="italic")
        elif version.changes_total is not None:
            label.append(f"kept {version.changes_kept}/{version.changes_total}", style="dim")
        return Option(label, id=str(version.id))

    def action_mark(self) -> None:
        """Mark (or unmark) the highlighted version as the one to compare with."""
        index = self.version_list.highlighted
        if index is None:
            return
        before, self.marked = self.marked, None if self.marked == index else index
        now = self.now()
        for changed in {before, index} - {None}:
            assert changed is not None
            self.version_list.replace_option_prompt_at_index(
                changed, self._option(changed, now).prompt
            )

    @on(Button.Pressed, "#compare")
    def action_compare(self) -> None:
        """The highlighted version against the marked one (older first), else the current."""
        index = self.version_list.highlighted
        if index is None or not self.versions:
            return
        other = self.marked if self.marked is not None and self.marked != index else 0
        older, newer = sorted((index, other), reverse=True)  # newest first in the list
        new_label = "the current text" if newer == 0 else f"version {self.versions[newer].version}"
        title = f"Version {self.versions[older].version} → {new_label}"
        work = self._compare(self.versions[older].content, self.versions[newer].content, title)
        run_task(self, work, description="Compare versions")

    async def _compare(self, old: str, new: str, title: str) -> None:
        from vicechat_tui.core.review.plan import plan_change
        from vicechat_tui.screens.review import ReviewScreen

        plan = await plan_change(old, new)
        await self.app.push_screen(ReviewScreen(plan, title=title, read_only=True))

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        version = self.versions[event.option_index]
        self.preview.load_text(version.content)
        self.query_one("#restore", Button).disabled = event.option_index == 0
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return (self.version_list.highlighted or 0) > 0
        return True

    @on(OptionList.OptionSelected)
    @on(Button.Pressed, "#restore")
    def action_restore(self) -> None:
        index = self.version_list.highlighted
        if index is None or index == 0:
            return
        self.dismiss(self.versions[index].id)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
