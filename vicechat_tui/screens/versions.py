"""A section's saved versions: pick one to preview it, restore it as a new version."""

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
        #version-list { width: 44; height: 1fr; }
        #preview { width: 1fr; height: 1fr; }
        #buttons { height: auto; align-horizontal: right; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="versions.close"),
        Binding("r", "restore", "Restore", id="versions.restore"),
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

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Versions", id="dialog-title")
            with Horizontal(id="body"):
                yield OptionList(id="version-list")
                yield SafeTextArea("", read_only=True, soft_wrap=True, id="preview")
            with Horizontal(id="buttons"):
                yield Button("Close (esc)", id="close")
                yield Button("Restore (r)", id="restore", variant="primary", disabled=True)

    def on_mount(self) -> None:
        run_task(self, self._load(), description="Read the versions", group="load")

    async def _load(self) -> None:
        self.versions = await self.sections.versions(self.section_id)
        now = self.now()
        options = []
        for index, version in enumerate(self.versions):
            label = Text.assemble(
                (f"v{version.version:<4}", "bold"),
                f"{source_label(version.source):<14}",
                (format_age(version.created_at, now), "dim"),
            )
            if index == 0:
                label.append("  current", style="italic")
            options.append(Option(label, id=str(version.id)))
        self.version_list.add_options(options)
        if options:
            self.version_list.highlighted = 0
        self.version_list.focus()
        if self.versions:
            title = self.versions[0].title
            self.query_one("#dialog-title", Label).update(plain(f"Versions of “{title}”"))

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
