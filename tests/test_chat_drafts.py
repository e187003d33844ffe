"""The chat drafts file: kept per key, bounded, entries not well formed skipped, a damaged
file moved aside (`vicechat_tui.chat_drafts`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vicechat_tui.chat_drafts import (
    MAX_DRAFT_CHARS,
    MAX_DRAFTS,
    DraftsNotKept,
    read_drafts,
    write_drafts,
)


def test_drafts_are_kept_per_key_and_empty_ones_dropped(tmp_path: Path) -> None:
    path = tmp_path / "chat-drafts.json"
    write_drafts("a", {1: "one", 2: "  "}, path)
    write_drafts("b", {1: "other"}, path)
    assert read_drafts("a", path) == {1: "one"}
    assert read_drafts("b", path) == {1: "other"}
    write_drafts("a", {}, path)  # sent: nothing left for "a"
    assert read_drafts("a", path) == {}
    assert read_drafts("b", path) == {1: "other"}


def test_drafts_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "chat-drafts.json"
    write_drafts("a", {n: f"draft {n}" for n in range(MAX_DRAFTS + 20)}, path)
    kept = read_drafts("a", path)
    assert len(kept) == MAX_DRAFTS and max(kept) == MAX_DRAFTS + 19  # the latest ones
    write_drafts("a", {1: "x" * (MAX_DRAFT_CHARS + 10)}, path)
    assert len(read_drafts("a", path)[1]) == MAX_DRAFT_CHARS


def test_entries_not_well_formed_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "chat-drafts.json"
    entry = {"1": "fine", "x": "no id", "2": 3, "3": ""}
    path.write_text(json.dumps({"version": 1, "drafts": {"a": entry, "b": []}}))
    assert read_drafts("a", path) == {1: "fine"}
    assert read_drafts("b", path) == {}


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[1, 2]", b'{"drafts": 3}', b"{"])
def test_a_damaged_file_is_moved_aside_and_the_next_write_starts_afresh(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "chat-drafts.json"
    path.write_bytes(content)
    with pytest.raises(DraftsNotKept, match="damaged"):
        read_drafts("a", path)
    assert (tmp_path / "chat-drafts.json.damaged").read_bytes() == content
    write_drafts("a", {4: "new"}, path)
    assert read_drafts("a", path) == {4: "new"}
