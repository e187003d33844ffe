"""Deleting from the tree: the question to ask (what goes with it: subsections, chats) and
the ids of every section that would go; where the cursor lands once the row is gone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.widgets.tree_items import Node, TreeItem

if TYPE_CHECKING:
    from vicechat_tui.core.services.sections import SectionNode

Landing = tuple[str, int]
"""A row to land on: ("section" | "document", its id)."""


def describe_deletion(item: TreeItem, sections: Sequence[SectionNode]) -> tuple[str, set[int]]:
    """The question to ask, and the ids of every section that would go (`sections`: the
    document's section tree)."""
    stack = list(sections)
    doomed: set[int] = set()
    if item.section_id is not None:
        doomed.add(item.section_id)
        found = None
        while stack and found is None:
            current = stack.pop()
            if current.section.id == item.section_id:
                found = current
            stack.extend(current.children)
        stack = list(found.children) if found else []
    while stack:
        current = stack.pop()
        assert current.section.id is not None
        doomed.add(current.section.id)
        stack.extend(current.children)
    if item.section_id is None:
        count = len(doomed)
        sections_said = f" with its {count} section{'s' if count != 1 else ''} and their chats"
        return f"Delete document “{item.title}”{sections_said if count else ''}?", doomed
    count = len(doomed) - 1
    children = f"with its {count} subsection{'s' if count != 1 else ''} and chats"
    return f"Delete section “{item.title}” {children if count else 'and its chat'}?", doomed


def neighbour(tree: DocumentTree, node: Node) -> Landing | None:
    """Where the cursor goes once `node` is gone: the next sibling, else the previous one,
    else the parent."""
    parent = node.parent
    if parent is None:
        return None
    siblings = list(parent.children)
    index = siblings.index(node)
    candidates = siblings[index + 1 : index + 2] + siblings[max(0, index - 1) : index]
    for candidate in [*candidates, parent]:
        data = candidate.data
        if data is None or data.kind == "more" or candidate is tree.root:
            continue
        if data.section_id is not None:
            return "section", data.section_id
        return "document", data.document_id
    return None


def land_after_delete(tree: DocumentTree, after: Landing | None) -> None:
    """Put the cursor on `after` (see `neighbour`), if it is still there."""
    if after is None:
        return
    kind, found_id = after
    found = tree.find_section(found_id) if kind == "section" else tree.find_document(found_id)
    if found is not None:
        tree.move_to(found)
