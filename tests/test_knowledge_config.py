"""The chat config's `knowledge` field: collection names, cleaned and checked."""

from __future__ import annotations

import pytest

from vicechat_tui.core.chat_config import (
    MAX_KNOWLEDGE_COLLECTIONS,
    ChatConfig,
    merge_chat_config,
    validate_chat_config,
)
from vicechat_tui.core.errors import InvalidConfigError


def test_names_are_stripped_and_deduplicated() -> None:
    config = validate_chat_config({"knowledge": [" notes ", "notes", "papers"]})
    assert config.knowledge == ("notes", "papers")
    assert ChatConfig().knowledge == ()


@pytest.mark.parametrize(
    "names",
    [[""], ["  "], ["x" * 101], [f"c{i}" for i in range(MAX_KNOWLEDGE_COLLECTIONS + 1)]],
)
def test_bad_names_are_refused_by_field(names: list[str]) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        validate_chat_config({"knowledge": names})
    assert set(caught.value.field_errors) == {"knowledge"}


def test_an_unknown_collection_names_the_ones_there_are() -> None:
    with pytest.raises(InvalidConfigError) as caught:
        validate_chat_config({"knowledge": ["papers", "nope"]}, known_collections=["papers", "b"])
    reason = caught.value.field_errors["knowledge"]
    assert "'nope'" in reason and "b, papers" in reason and "'papers'" not in reason


def test_no_collections_at_all_says_how_to_make_one() -> None:
    with pytest.raises(InvalidConfigError) as caught:
        validate_chat_config({"knowledge": ["x"]}, known_collections=[])
    assert "kb create" in caught.value.field_errors["knowledge"]


def test_merge_keeps_knowledge_the_changes_do_not_touch() -> None:
    current = validate_chat_config({"knowledge": ["notes"]})
    merged = merge_chat_config(current, {"temperature": 0.2}, known_providers=None)
    assert merged.knowledge == ("notes",)
    assert merged.model_dump(mode="json")["knowledge"] == ["notes"]
