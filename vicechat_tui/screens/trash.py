"""The trash: deleted documents and sections, to restore or to delete for good (asked first).

Returns what was restored (for the workspace to show it), or None.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from vicechat_tui.failures import run_task
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.versions import format_age
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_text import plain

if TYPE_CHECKING:
    from vicechat_tui.core.services.trash import TrashedItem, TrashService


def describe(item: TrashedItem, now: datetime) -> Text:
    """One row: what, where, how much went with it, when and by whom."""
    if item.kind == "document":
        what = plain("document ")
        what.append_text(plain(item.title))
        taken = item.sections
    else:
        what = plain("section ")
        what.append_text(plain(item.title))
        what.append_text(plain(" in "))
        what.append_text(plain(item.document_title))
        taken = item.sections - 1
    if taken:
        what.append(f" (with {taken} section{'s' if taken != 1 else ''})")
    what.append(f" — {format_age(item.trashed_at, now)}, by ", style="dim")
    what.append_text(plain(item.trashed_by))
    return what


class TrashScreen(ModalScreen["TrashedItem | None"]):
    """Deleted things this person may restore; `r` restores, `delete` deletes for good."""

    DEFAULT_CSS = """
    TrashScreen {
        align: center middle;
        #dialog {
            width: 90%; max-width: 110; height: 80%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #dialog-title { text-style: bold; padding: 0 1; }
        #trash-hint { color: $text-muted; padding: 0 1 1 1; }
        #trash-list { height: 1fr; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="trash.close"),
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("delete", "purge", "Delete forever", id="trash.purge"),
    ]

    trash_list = query_one("#trash-list", OptionList)

    def __init__(self, trash: TrashService, *, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.trash = trash
        self.now = now
        self.items: list[TrashedItem] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Trash", id="dialog-title")
            yield Static("", id="trash-hint", markup=False)
            yield OptionList(id="trash-list")

    def on_mount(self) -> None:
        restore = key_for_id(self.app, type(self), "trash.restore")
        purge = key_for_id(self.app, type(self), "trash.purge")
        from vicechat_tui.core.services.trash import KEPT_FOR

        self.query_one("#trash-hint", Static).update(
            f"{restore} restores, {purge} deletes for good. "
            f"What stays here {KEPT_FOR.days} days is deleted for good on its own."
        )
        run_task(self, self._load(), description="Read the trash")

    async def _load(self) -> None:
        self.items = await self.trash.list()
        now = self.now()
        options = [Option(describe(item, now), id=item.key) for item in self.items]
        self.trash_list.clear_options()
        if options:
            self.trash_list.add_options(options)
            self.trash_list.highlighted = 0
        else:
            self.trash_list.add_option(Option("The trash is empty.", disabled=True))
        self.trash_list.focus()
        self.loaded = True

    def _selected(self) -> TrashedItem | None:
        index = self.trash_list.highlighted
        if index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_restore()  # enter on a row restores it too

    def action_restore(self) -> None:
        item = self._selected()
        if item is not None:
            run_task(self, self._restore(item), description="Restore from the trash")

    async def _restore(self, item: TrashedItem) -> None:
        if item.kind == "document":
            await self.trash.restore_document(item.id)
        else:
            await self.trash.restore_section(item.id)
        self.dismiss(item)

    def action_purge(self) -> None:
        item = self._selected()
        if item is not None:
            run_task(self, self._purge(item), description="Delete for good")

    async def _purge(self, item: TrashedItem) -> None:
        question = f"Delete {item.kind} “{item.title}” for good? It cannot be brought back."
        confirm = ConfirmScreen("Delete forever", question, yes="Delete forever")
        if not await self.app.push_screen_wait(confirm):
            return
        if item.kind == "document":
            await self.trash.purge_document(item.id)
        else:
            await self.trash.purge_section(item.id)
        self.notify(f"Deleted “{item.title}” for good.")
        await self._load()

    def action_close(self) -> None:
        self.dismiss(None)
