"""The command palette provider: grouped commands ("document: new", "chat: reset", …).

Commands run actions by name on the workspace screen, the chat pane or the app, so the
palette and the keys always do the same thing; a command shows only when it can run now.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.actions import parse as parse_action
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

# (command name, help, target, action); target: "screen", "tree", "chat", "editor" or "app".
COMMANDS: list[tuple[str, str, str, str]] = [
    ("document: new", "Create a document", "screen", "new_document"),
    ("document: rename", "Rename the selected document", "tree", "edit_document('rename')"),
    ("document: delete", "Delete the document (to the trash)", "tree", "edit_document('delete')"),
    ("document: share…", "Who has access; share it to view or to edit", "tree", "share"),
    ("document: export…", "To Word, PDF, HTML, ODT, EPUB…", "screen", "export_document"),
    ("document: import…", "Markdown, Word, OpenDocument or HTML file", "screen", "import_document"),
    ("section: new", "Add a section inside the selection", "tree", "edit('new_section')"),
    ("section: new sibling", "Add a section after the selected one", "tree", "edit('new_sibling')"),
    ("section: rename", "Rename the selected section", "tree", "edit('rename')"),
    ("section: delete", "Delete the selected section", "tree", "edit('delete')"),
    ("section: status", "Cycle draft → review → final", "tree", "edit('cycle_status')"),
    ("section: move up", "Move the section up among its siblings", "tree", "edit('move_up')"),
    ("section: move down", "Move the section down among its siblings", "tree", "edit('move_down')"),
    ("section: indent", "Nest the section under the one above", "tree", "edit('indent')"),
    ("section: outdent", "Move the section out of its parent", "tree", "edit('outdent')"),
    ("section: save", "Save the section now", "editor", "save"),
    ("section: versions", "Show versions, preview and restore one", "editor", "versions"),
    ("section: find", "Find text in the section", "editor", "find"),
    ("section: find next", "Go to the next match in the section", "editor", "find_next"),
    ("section: replace", "Find and replace in the section", "editor", "replace"),
    (
        "knowledge: collections…",
        "Your files as sources: add, attach, delete",
        "screen",
        "knowledge",
    ),
    ("tree: undo", "Undo the last tree edit", "tree", "undo"),
    (
        "trash: show…",
        "Deleted documents and sections: restore or delete for good",
        "screen",
        "show_trash",
    ),
    ("search: everything", "Search documents, sections, chats and sources", "screen", "search"),
    ("view: go to tree", "Show the document tree and focus it", "screen", "go_to_tree"),
    ("view: go to chat", "Show the chat pane and focus its input", "screen", "go_to_chat"),
    ("view: hide tree", "Hide the document tree", "screen", "hide_tree"),
    ("view: hide chat", "Hide the chat pane", "screen", "hide_chat"),
    ("view: next pane", "Focus the next pane", "screen", "focus_next_pane"),
    ("view: narrow tree", "Make the tree narrower", "screen", "resize_tree(-4)"),
    ("view: widen tree", "Make the tree wider", "screen", "resize_tree(4)"),
    ("chat: configure", "Model, temperature, web search … for this chat", "chat", "chat_configure"),
    ("chat: reset", "Delete this chat's messages", "chat", "chat_reset"),
    ("chat: cancel", "Stop the reply being written", "chat", "chat_cancel"),
    ("chat: retry", "Answer the selected (else the last) question again", "chat", "chat_retry"),
    (
        "chat: edit queued message",
        "Take the queued message back into the input",
        "chat",
        "chat_take_back",
    ),
    ("chat: insert reply", "Insert the reply at the editor's cursor", "chat", "chat_apply_insert"),
    ("chat: replace section", "Replace the section with the reply", "chat", "chat_apply_replace"),
    ("chat: copy reply", "Copy the reply to the clipboard", "chat", "chat_copy"),
    ("chat: copy code", "Copy the reply's last code block", "chat", "chat_copy_code"),
    ("chat: show steps", "Open or fold what the reply's research did", "chat", "chat_steps"),
    ("assistant: manage…", "Your assistants: new, edit, delete", "screen", "manage_assistants"),
    ("chat: jobs", "All running and recent jobs", "screen", "show_jobs"),
    ("help: keys", "Every key, grouped", "app", "help"),
]


class WorkspaceCommands(Provider):
    """Workspace, section, view, chat and theme commands."""

    def _target(self, kind: str) -> DOMNode | None:
        screen = self.screen
        if kind == "app":
            return self.app
        if kind == "screen":
            return screen
        selector = {"tree": "#tree", "chat": "#chat-pane", "editor": "#editor"}[kind]
        try:
            return screen.query_one(selector)
        except Exception:
            return None

    def _available(self) -> list[tuple[str, str, Callable[[], object]]]:
        found: list[tuple[str, str, Callable[[], object]]] = []
        for name, help_text, kind, action in COMMANDS:
            target = self._target(kind)
            _, action_name, parameters = parse_action(action)
            if target is None or not hasattr(target, f"action_{action_name}"):
                continue
            if not target.check_action(action_name, parameters):
                continue
            found.append((name, help_text, partial(self._run, action, target)))
        for theme in sorted(self.app.available_themes):
            found.append(
                (f"theme: {theme}", "Switch to this theme", partial(self._set_theme, theme))
            )
        return found

    async def _run(self, action: str, target: DOMNode) -> None:
        await self.app.run_action(action, target)

    def _set_theme(self, theme: str) -> None:
        self.app.theme = theme

    async def discover(self) -> Hits:
        for name, help_text, callback in self._available():
            if not name.startswith("theme: "):
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
