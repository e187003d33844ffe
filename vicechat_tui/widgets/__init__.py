"""Reusable widgets of the vicechat UI.

- `DocumentTree` (document_tree): documents and nested sections, loaded lazily.
- `SectionEditor` (section_editor): Markdown editing with autosave and versions.
- `plain`, `visible` (safe_text): show stored or model text literally.
- `ChatPane` (chat_pane): the chat of the selected section.
"""

from __future__ import annotations
