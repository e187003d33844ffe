"""A key pressed with alt (or meta) is a command, never text.

A terminal sends alt+e as ESC e; Textual reads that as the key "alt+e" carrying the
character "e", which counts as printable, so the focused TextArea or Input typed an "e"
(replacing the selection) before the binding of an enclosing widget saw the key: alt+e in
the editor overwrote the selected text instead of asking for an AI edit, alt+a in the find
bar's replace field typed an "a". The app clears the character of such keys as they arrive
(`VicechatApp.on_event`), so every text field lets them through to the bindings, whichever
key a binding is remapped to.
"""

from __future__ import annotations

from textual import events

COMMAND_MODIFIERS = frozenset({"alt", "meta"})
"""Not ctrl: a terminal reporting AltGr as ctrl+alt gives "ctrl+@" with the "@" to type (it
leaves alt out when there is text), and a ctrl+letter carries no printable character."""


def as_command(event: events.Key) -> None:
    """Drop the character of a key pressed with a command modifier (in place)."""
    *modifiers, _ = event.key.split("+")
    if event.character is not None and COMMAND_MODIFIERS.intersection(modifiers):
        event.character = None
