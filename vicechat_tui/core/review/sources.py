"""What made a section version, in words (the versions screen and `vicechat versions`)."""

from __future__ import annotations

SOURCE_LABELS = {
    "create": "created",
    "edit": "edited",
    "autosave": "autosaved",
    "applied_reply": "applied reply",
    "restore": "restored",
    "ai_edit": "AI edit",
    "merge": "merged",
}


def source_label(source: str) -> str:
    """'applied reply' for "applied_reply"; an unknown source as it is stored."""
    return SOURCE_LABELS.get(source, source)
