"""The baseline of the start-up figures: a bare Textual app with vicechat's stock widgets.

    python benchmarks/bare_workspace.py [--db PATH]

Tree, TextArea, Markdown, Input and Footer, laid out like the workspace. With `--db` its tree
shows the same first page of documents vicechat's tree shows (titles read with the standard
library's sqlite3 before the first frame): the least any app can do to show that page.
Figure 1 runs `bare_app()` inside its harness; the start-up figure measured from outside
(`bench_outside.py`) runs this file as it is, with no instrument in the process.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

FIRST_PAGE = 200
"""Documents in the first page of vicechat's tree (`DocumentTree.PAGE_SIZE`)."""


def first_page_titles(path: str, limit: int = FIRST_PAGE) -> list[str]:
    """The titles of the newest documents in the SQLite file at `path`."""
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT title FROM document ORDER BY updated_at DESC, id DESC LIMIT ?", (limit,)
        ).fetchall()
    finally:
        connection.close()
    return [str(title) for (title,) in rows]


def bare_app(titles: Sequence[str] = ()) -> Any:
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Footer, Input, Markdown, TextArea, Tree

    class BareApp(App[None]):
        """The stock widgets vicechat's workspace is made of, laid out the same way."""

        CSS = """
        Tree { width: 28; }
        TextArea { width: 1fr; }
        #chat { width: 1fr; }
        Markdown { height: 1fr; }
        """
        BINDINGS = [("ctrl+q", "quit", "Quit"), ("f1", "help", "Help")]

        def compose(self) -> ComposeResult:
            tree: Tree[None] = Tree("Documents")
            tree.show_root = False
            for title in titles:
                tree.root.add_leaf(title)
            with Horizontal():
                yield tree
                yield TextArea("", soft_wrap=True)
                with Vertical(id="chat"):
                    yield Markdown("")
                    yield Input(placeholder="Message…")
            yield Footer()

    return BareApp()


def main(argv: Sequence[str]) -> None:
    titles = first_page_titles(argv[argv.index("--db") + 1]) if "--db" in argv else []
    bare_app(titles).run()


if __name__ == "__main__":
    main(sys.argv[1:])
