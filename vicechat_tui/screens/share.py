"""Who has access to a document; its owner shares it (to view or to edit) and unshares it.

The dialog reads and changes shares through the document service it is given. A refusal the
person can act on (an unknown user, a name with spaces, not the owner) shows as a note under
the list; anything else takes the app's one error path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.failures import run_task
from vicechat_tui.widgets.safe_text import plain

if TYPE_CHECKING:
    from vicechat_tui.core.services.access import DocumentAccess
    from vicechat_tui.core.services.documents import DocumentService, Share

LEVEL_WORDS = {"view": "can read it", "edit": "can read and change it"}


class ShareScreen(ModalScreen[None]):
    """The document's owner and shares; for the owner, a name to share with and buttons."""

    DEFAULT_CSS = """
    ShareScreen {
        align: center middle;
        #dialog {
            width: 64; max-width: 95%; height: auto; max-height: 90%;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #share-title { text-style: bold; }
        #share-owner { color: $text-muted; margin-bottom: 1; }
        #share-list { height: auto; max-height: 12; margin-bottom: 1; }
        #share-note { color: $warning; height: auto; }
        #share-note.-hidden, .-hidden { display: none; }
        #share-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #share-buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="share.close"),
        Binding("delete", "unshare", "Stop sharing", id="share.unshare"),
    ]

    def __init__(self, documents: DocumentService, document_id: int) -> None:
        super().__init__()
        self.documents = documents
        self.document_id = document_id
        self.access: DocumentAccess | None = None
        self.shares: list[Share] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Share", id="share-title")
            yield Static("", id="share-owner")
            yield OptionList(id="share-list")
            yield Input(placeholder="user name", id="share-user", classes="-hidden")
            yield Static("", id="share-note", classes="-hidden")
            with Horizontal(id="share-buttons"):
                yield Button("To view", id="share-view", classes="-hidden")
                yield Button("To edit", id="share-edit", variant="primary", classes="-hidden")
                yield Button("Close", id="share-close")

    def on_mount(self) -> None:
        run_task(self, self.reload(), description="Read who has access", group="share")

    @property
    def is_owner(self) -> bool:
        return self.access is not None and not self.access.shared_with_me

    async def reload(self) -> None:
        """Read the document's owner and shares again and show them."""
        self.access = await self.documents.access(self.document_id)
        self.shares = await self.documents.shares(self.document_id)
        me = self.documents.user
        self.query_one("#share-title", Label).update(plain(f"Share “{self.access.document.title}”"))
        owner = self.access.owner
        if self.is_owner:
            said = f"You ({owner}) own it. Share it to view (read only) or to edit."
        else:
            said = f"{owner} owns it; only they can change who has access."
        self.query_one("#share-owner", Static).update(plain(said, wrap=True))
        listed = self.query_one("#share-list", OptionList)
        listed.clear_options()
        for share in self.shares:
            you = " (you)" if share.user == me else ""
            listed.add_option(
                Option(plain(f"{share.user} {LEVEL_WORDS[share.level]}{you}"), id=share.user)
            )
        if not self.shares:
            listed.add_option(Option(plain("Shared with nobody yet."), disabled=True))
        for selector in ("#share-user", "#share-view", "#share-edit"):
            self.query_one(selector).set_class(not self.is_owner, "-hidden")
        if self.is_owner:
            self.query_one("#share-user", Input).focus()
        self.refresh_bindings()

    def _note(self, text: str | None) -> None:
        note = self.query_one("#share-note", Static)
        note.update(plain(text or "", wrap=True))
        note.set_class(not text, "-hidden")

    async def _change(self, change: str, user: str, level: str = "view") -> None:
        try:
            if change == "share":
                await self.documents.share(self.document_id, user, level)
            else:
                await self.documents.unshare(self.document_id, user)
        except VicechatError as error:  # the person can act on it: say so here
            self._note(error.message)
            return
        self._note(None)
        if change == "share":
            self.query_one("#share-user", Input).value = ""
        await self.reload()

    def _share(self, level: str) -> None:
        name = self.query_one("#share-user", Input).value
        if not name.strip():
            self._note("Type the name of the person to share with.")
            return
        run_task(self, self._change("share", name, level), description="Share", group="share")

    @on(Input.Submitted, "#share-user")
    def _submitted(self) -> None:
        self._share("view")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "share-close":
            self.dismiss(None)
        elif event.button.id in ("share-view", "share-edit"):
            self._share("view" if event.button.id == "share-view" else "edit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unshare":
            return self.is_owner and bool(self.shares)
        return True

    def action_unshare(self) -> None:
        listed = self.query_one("#share-list", OptionList)
        highlighted = listed.highlighted
        if highlighted is None or not self.is_owner:
            return
        user = listed.get_option_at_index(highlighted).id
        if user:
            run_task(self, self._change("unshare", user), description="Unshare", group="share")

    def action_close(self) -> None:
        self.dismiss(None)
