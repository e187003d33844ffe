"""The section editor's keys: save, versions, find and replace, Edit with AI, and moving to
the start or end of the section. Each has an id, so the config can remap it (`[ui] keys`)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

EDITOR_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", id="editor.save"),
    Binding("ctrl+r", "versions", "Versions", id="editor.versions"),
    Binding(
        "ctrl+f",
        "find",
        "Find",
        tooltip="Find (and replace) in the section",
        show=False,
        id="editor.find",
    ),
    Binding("f3", "find_next", "Find next", show=False, id="editor.find_next"),
    Binding("shift+f3", "find_previous", "Find previous", show=False, id="editor.find_previous"),
    Binding(
        "alt+e",
        "ai_edit",
        "Edit with AI",
        tooltip="Rewrite the selection (else the paragraph at the cursor) with AI",
        show=False,
        id="editor.ai_edit",
    ),
    Binding(
        "escape",
        "cancel_ai_edit",
        "Cancel AI edit",
        tooltip="Stop the AI edit the model is writing (the section stays as it is)",
        show=False,
        priority=True,  # before the text area takes escape (to drop the selection)
        id="editor.ai_edit_cancel",
    ),
    Binding("ctrl+home", "go_to_start", "Start", show=False, id="editor.start"),
    Binding("ctrl+end", "go_to_end", "End", show=False, id="editor.end"),
    Binding(
        "ctrl+shift+home",
        "go_to_start(True)",
        "Select to start",
        show=False,
        id="editor.select_to_start",
    ),
    Binding(
        "ctrl+shift+end",
        "go_to_end(True)",
        "Select to end",
        show=False,
        id="editor.select_to_end",
    ),
]
"""`SectionEditor.BINDINGS`."""
