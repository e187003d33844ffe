"""Moving documents in and out of vicechat: Markdown import/export and a full JSON export.

`markdown` is pure text ⇄ tree; `markdown_store` and `json_export` read and write through the
core services, so ownership rules apply to them as to everything else.
"""

from __future__ import annotations

__all__ = ["MarkdownDocument", "MarkdownSection", "parse_markdown", "render_markdown"]


def __getattr__(name: str) -> object:
    """The Markdown names on first use: importing a sibling module (the formats the CLI's
    parser lists) must not import markdown-it, which the start-up of the TUI does not need."""
    if name not in __all__:
        raise AttributeError(name)
    from vicechat_tui.core.transfer import markdown

    return getattr(markdown, name)
