"""Moving documents in and out of vicechat: Markdown import/export and a full JSON export.

`markdown` is pure text ⇄ tree; `markdown_store` and `json_export` read and write through the
core services, so ownership rules apply to them as to everything else.
"""

from __future__ import annotations

from vicechat_tui.core.transfer.markdown import (
    MarkdownDocument,
    MarkdownSection,
    parse_markdown,
    render_markdown,
)

__all__ = ["MarkdownDocument", "MarkdownSection", "parse_markdown", "render_markdown"]
