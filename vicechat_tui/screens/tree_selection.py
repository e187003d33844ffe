"""Putting the tree's cursor on a section chosen elsewhere (a search result, the jobs
screen, the place left last time): the tree is expanded down to it, loading lazily."""

from __future__ import annotations

from collections.abc import Sequence

from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.workbench import Workbench


async def select_in_tree(
    tree: DocumentTree,
    workbench: Workbench,
    document_id: int,
    section_id: int,
    *,
    path: Sequence[int] | None = None,
) -> None:
    """Expand `tree` down to `section_id` (loading lazily) and put the cursor on it.

    `path`: its ancestors from the top, then itself, when already known (the start-up
    preview's); otherwise the core reads them.
    """
    if path is None:
        path = await path_to(workbench, section_id)
    node = tree.find_document(document_id)
    if node is None:
        core = await workbench.open_core()
        node = tree.show_on_top(await core.documents.access(document_id))
    for ancestor_id in path:
        assert node.data is not None
        if not node.data.loaded:
            await tree.load_children(node)
        node.expand()
        found = next(
            (c for c in node.children if c.data and c.data.section_id == ancestor_id), None
        )
        if found is None:
            return
        node = found
    tree.move_to(node)
    tree.focus()


async def path_to(workbench: Workbench, section_id: int) -> list[int]:
    """`section_id`'s ancestors from the top, then itself."""
    core = await workbench.open_core()
    path: list[int] = []
    current: int | None = section_id
    while current is not None:
        section = await core.sections.get(current)
        path.insert(0, current)
        current = section.parent_id
    return path
