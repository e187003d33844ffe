"""The workspace's panes: focus moves, go-to and hide keys, the tree's width, and the bar
that names the hidden panes."""

from __future__ import annotations

from vicechat_tui.screens.workspace_base import WorkspaceBase
from vicechat_tui.widgets.pane_bar import PaneBar, PaneLabel
from vicechat_tui.widgets.pane_row import PaneRow

PANE_NAMES = {"tree": "Tree", "editor": "Editor", "chat-pane": "Chat"}


class PaneLayout(WorkspaceBase):
    """Which panes show, and the keys that move between them."""

    _shown_panes: tuple[str, ...] = ()

    def action_focus_next_pane(self) -> None:
        self.pane_row.focus_step(1)

    def action_focus_previous_pane(self) -> None:
        self.pane_row.focus_step(-1)

    def action_go_to_tree(self) -> None:
        self.pane_row.go_to(self.document_tree)

    def action_go_to_chat(self) -> None:
        self.pane_row.go_to(self.chat_pane)

    def action_hide_tree(self) -> None:
        self.pane_row.hide(self.document_tree)

    def action_hide_chat(self) -> None:
        self.pane_row.hide(self.chat_pane)

    def action_resize_tree(self, delta: int) -> None:
        self.pane_row.resize_first(delta)

    def on_pane_row_panes_changed(self, message: PaneRow.PanesChanged) -> None:
        self._shown_panes = message.shown
        self._show_panes()

    def _show_panes(self) -> None:
        """The bar above the panes, while some are hidden: which, how to reach them, and the
        save state (the editor's own status line may be hidden)."""
        from vicechat_tui.widgets.section_editor import STATE_LABELS

        bar = self.query_one(PaneBar)
        shown = self._shown_panes or tuple(pane.id or "" for pane in self.pane_row.panes())
        bar.display = len(shown) < len(self.pane_row.children)
        if not bar.display:
            return
        keys = {"tree": self.key_for("view.tree"), "chat-pane": self.key_for("view.chat")}
        labels = [
            PaneLabel(
                PANE_NAMES.get(pane.id or "", pane.id or ""),
                keys.get(pane.id or "", ""),
                pane.id in shown,
            )
            for pane in self.pane_row.children
        ]
        state = STATE_LABELS[self.editor.save_state] if self.editor.section_id is not None else ""
        bar.show(labels, state, self.key_for("app.help"))
