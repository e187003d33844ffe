"""Markdown ⇄ section tree: parsing rules, rendering, round trips (also through the database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.transfer.markdown import (
    MarkdownDocument,
    MarkdownSection,
    parse_markdown,
    render_markdown,
)
from vicechat_tui.core.transfer.markdown_store import export_markdown, import_markdown

S = MarkdownSection


def shape(sections: list[MarkdownSection]) -> list[object]:
    return [(section.title, shape(section.children)) for section in sections]


# -- parsing -------------------------------------------------------------------------------


def test_title_intro_nesting_and_level_jumps() -> None:
    text = (
        "# Field guide\n\nWhy this exists.\n\n"
        "## Birds\nAbout birds.\n#### Owls\nNight.\n### Gulls\nSea.\n"
        "## Plants\n### Trees\n###### Leaves\n## Fungi\n"
    )
    document = parse_markdown(text)
    assert document.title == "Field guide"
    assert shape(document.sections) == [
        ("Introduction", []),
        ("Birds", [("Owls", []), ("Gulls", [])]),
        ("Plants", [("Trees", [("Leaves", [])])]),
        ("Fungi", []),
    ]
    assert document.sections[0].content == "Why this exists."
    assert document.sections[1].content == "About birds."
    assert document.sections[1].children[0].content == "Night."


def test_text_before_the_title_joins_the_introduction() -> None:
    document = parse_markdown("Preface line.\n\n# Title\n\nAfter the title.\n\n## One\n")
    assert document.title == "Title"
    assert document.sections[0] == S("Introduction", "Preface line.\n\nAfter the title.")
    assert shape(document.sections) == [("Introduction", []), ("One", [])]


def test_without_a_lone_first_h1_every_heading_is_a_section() -> None:
    two_h1 = parse_markdown("# A\ntext\n## A.1\n# B\n")
    assert two_h1.title is None
    assert shape(two_h1.sections) == [("A", [("A.1", [])]), ("B", [])]
    h1_not_first = parse_markdown("## Setup\n# Later\n### Deep\n")
    assert h1_not_first.title is None
    assert shape(h1_not_first.sections) == [("Setup", []), ("Later", [("Deep", [])])]
    no_headings = parse_markdown("just text\n")
    assert no_headings.title is None
    assert no_headings.sections == [S("Introduction", "just text")]


def test_headings_inside_code_fences_and_comments_are_text() -> None:
    text = (
        "# Doc\n## Code\n"
        "```python\n# comment\n## not a section\n```\n"
        "~~~~ shell\n# prompt\n~~~\n## still inside (a shorter fence does not close)\n~~~~~\n"
        "````md\n```\n# nested fence text\n```\n````\n"
        "<!-- hidden\n# not a heading\n-->\n"
        "~~~\n```\n## a backtick fence does not close a tilde fence\n~~~\n"
        "  ````\n## inside an indented fence\n   ```\n## a shorter fence does not close it\n"
        "`````   \n"
        "\n    ```\n    ## indented code: neither a fence nor a heading\n\n"
        "``` has`backtick\n## Real heading (that line was no fence)\n"
    )
    document = parse_markdown(text)
    assert shape(document.sections) == [("Code", []), ("Real heading (that line was no fence)", [])]
    code = document.sections[0].content
    assert "# comment\n## not a section" in code
    assert "## still inside (a shorter fence does not close)" in code
    assert "# nested fence text" in code
    assert "# not a heading" in code
    assert "## a shorter fence does not close it\n`````   \n\n    ```" in code


def test_an_unclosed_fence_runs_to_the_end() -> None:
    document = parse_markdown("# Doc\n## A\n```\n## swallowed\n")
    assert shape(document.sections) == [("A", [])]
    assert document.sections[0].content == "```\n## swallowed"


def test_only_top_level_headings_are_sections() -> None:
    """A heading inside a quote, a list item or an HTML block belongs to that block: splitting
    there would cut the block in two, so it stays content."""
    text = (
        "# Doc\n## Kept\n"
        "> # Quoted heading\n> more quote\n\n"
        "- # Item heading\n"
        "  ## still the item (indented under it)\n"
        "- step two\n\n"
        "  ```sh\n"
        "  # a shell comment in the item's code\n"
        "  ```\n\n"
        "<details>\n# inside a details block\n</details>\n\n"
        "<pre>\n# inside pre\n\n# still inside (a blank line does not end <pre>)\n</pre>\n"
        "## Next\n"
    )
    document = parse_markdown(text)
    assert shape(document.sections) == [("Kept", []), ("Next", [])]
    assert document.sections[0].content == text.split("## Kept\n")[1].split("\n## Next")[0]


def test_deeply_nested_lists_do_not_hide_later_headings() -> None:
    document = parse_markdown("# Doc\n## A\n" + "- " * 12 + "deep\n\n## B\n")
    assert shape(document.sections) == [("A", []), ("B", [])]
    assert document.sections[0].content == "- " * 12 + "deep"


def test_heading_syntax_details() -> None:
    text = (
        "# Doc\n"
        "#5 things is a paragraph\n"
        "    ## indented four spaces is code\n"
        "####### seven is too many\n"
        "##\tTabbed ##\n"
        "   ## Three spaces ###   \n"
        "## C#\n"
        "##\n"
        "Setext lines stay text\n=====================\n"
    )
    document = parse_markdown(text)
    assert [s.title for s in document.sections] == [
        "Introduction",
        "Tabbed",
        "Three spaces",
        "C#",
        "Untitled",
    ]
    assert document.sections[0].content == (
        "#5 things is a paragraph\n    ## indented four spaces is code\n####### seven is too many"
    )
    assert document.sections[-1].content == "Setext lines stay text\n====================="


def test_titles_are_the_source_text() -> None:
    document = parse_markdown("## a\x00b \x85\n##   spaced   out   ##\n")
    assert [s.title for s in document.sections] == ["a\x00b", "spaced   out"]


def test_crlf_and_bom_are_normalised() -> None:
    lf = "# Doc\n\n## A\n\nline one\nline two\n\n## B\n"
    crlf = "\ufeff" + lf.replace("\n", "\r\n")
    assert parse_markdown(crlf) == parse_markdown(lf)
    assert parse_markdown(lf.replace("\n", "\r")) == parse_markdown(lf)


def test_content_is_kept_exactly_apart_from_edge_blank_lines() -> None:
    body = (
        "| Name | 名前 | اسم |\n|:-----|:----:|----:|\n| Zoë | 東京 | مرحبا |\n\n"
        "Combining: e\u0301 n\u0303 — emoji: 👩\u200d💻 🇯🇵  \n"
        "    indented code\n\ttabbed\ntrailing spaces   "
    )
    document = parse_markdown(f"# Doc\n## Table\n\n\n{body}\n   \n\n## Next\n")
    assert document.sections[0].content == body


# -- rendering -------------------------------------------------------------------------------


def test_render_layout() -> None:
    document = MarkdownDocument(
        "Doc", [S("A", "alpha\n", [S("A.1", "", [S("A.1.1", "deep")])]), S("B", "\n\nbeta\n\n")]
    )
    assert render_markdown(document) == (
        "# Doc\n\n## A\n\nalpha\n\n### A.1\n\n#### A.1.1\n\ndeep\n\n## B\n\nbeta\n"
    )


def test_render_keeps_titles_that_end_in_hashes() -> None:
    document = MarkdownDocument("Notes #", [S("C#"), S("Issue #"), S("###"), S("#")])
    again = parse_markdown(render_markdown(document))
    assert again == document


def test_render_closes_a_fence_left_open_so_later_sections_survive() -> None:
    document = MarkdownDocument("Doc", [S("A", "~~~~\n## inside"), S("B", "<!-- open"), S("C")])
    again = parse_markdown(render_markdown(document))
    assert shape(again.sections) == [("A", []), ("B", []), ("C", [])]
    assert again.sections[0].content == "~~~~\n## inside\n~~~~"


@pytest.mark.parametrize(
    ("content", "closing"),
    [
        ("<pre>\n## inside\n\nstill inside", "</pre>"),
        ("<SCRIPT type=module>\nlet x = 1", "</script>"),
        ("<?php echo 1;", "?>"),
        ("<!DOCTYPE html", ">"),
        ("<![CDATA[ raw", "]]>"),
        ("<!-- note\n## inside", "-->"),
        ("   ```` text\n## inside", "````"),
    ],
)
def test_render_closes_an_html_block_left_open(content: str, closing: str) -> None:
    document = MarkdownDocument("Doc", [S("A", content), S("B", "beta")])
    again = parse_markdown(render_markdown(document))
    assert again.sections == [S("A", f"{content}\n{closing}"), S("B", "beta")]


def test_render_adds_nothing_to_closed_blocks() -> None:
    contents = ["<pre>\n# x\n</pre>", "<div>\n<pre>", "a < b", "```\ncode\n```", "<!-- a -->"]
    document = MarkdownDocument("Doc", [S(f"S{n}", content) for n, content in enumerate(contents)])
    assert parse_markdown(render_markdown(document)) == document


def test_render_clamps_depth_beyond_markdown_headings() -> None:
    chain = S("L7")
    for level in range(6, 1, -1):
        chain = S(f"L{level}", children=[chain])
    document = MarkdownDocument("Doc", [chain])
    text = render_markdown(document)
    assert "###### L6\n\n###### L7" in text
    assert "####### " not in text


# -- property: render → parse gives the tree back ---------------------------------------------

# Lines that would start a heading, a fence or an HTML block (generated only as whole blocks).
_SPECIAL_LINE = re.compile(r"^ {0,3}(#{1,6}([ \t]|$)|`{3}|~{3}|<)")
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
_titles = st.text(_CHARS, min_size=1, max_size=30).map(lambda t: " ".join(t.split())).filter(bool)
_plain_lines = st.text(_CHARS | st.sampled_from("\t#`~|"), max_size=40).filter(
    lambda line: not _SPECIAL_LINE.match(line)
)
_code_lines = st.text(st.sampled_from("# abc世界🎉\t-|"), max_size=20)
_BLOCKS = [
    ("```", "```"),
    ("~~~", "~~~"),
    ("````python", "````"),
    ("~~~ info", "~~~~"),
    ("<pre>", "</pre>"),
    ("<!-- note", "-->"),
    ("<?php", "?>"),
]


@st.composite
def _contents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            opening, closing = draw(st.sampled_from(_BLOCKS))
            lines += [opening, *draw(st.lists(_code_lines, max_size=4)), closing]
        else:
            lines += draw(st.lists(_plain_lines, min_size=1, max_size=4))
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


@st.composite
def _trees(draw: st.DrawFn) -> list[MarkdownSection]:
    """Up to ten sections, each at most one level deeper than the one before (≤ 5 levels)."""
    roots: list[MarkdownSection] = []
    open_path: list[MarkdownSection] = []
    for _ in range(draw(st.integers(0, 10))):
        depth = draw(st.integers(0, min(len(open_path), 4)))
        section = MarkdownSection(draw(_titles), draw(_contents()))
        del open_path[depth:]
        (open_path[-1].children if open_path else roots).append(section)
        open_path.append(section)
    return roots


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_titles, sections=_trees())
def test_render_then_parse_is_identity(title: str, sections: list[MarkdownSection]) -> None:
    document = MarkdownDocument(title, sections)
    assert parse_markdown(render_markdown(document)) == document


# -- through the database (SQLite and PostgreSQL) -------------------------------------------------


async def test_import_then_export_through_the_services(core: VicechatCore) -> None:
    source = (
        "# Thèse 論文\n\nOpening words.\n\n## Methods\n\n```sh\n# run it\nmake\n```\n\n"
        "#### Tools\n\n| tool | use |\n|---|---|\n| ruff | lint |\n\n## שלום\n\nRTL text ✓\n"
    )
    imported = await import_markdown(core, source, fallback_title="ignored")
    assert imported.document.title == "Thèse 論文"
    assert imported.section_count == 4
    exported = await export_markdown(core, imported.document.id)  # type: ignore[arg-type]
    assert exported == (
        "# Thèse 論文\n\n## Introduction\n\nOpening words.\n\n## Methods\n\n"
        "```sh\n# run it\nmake\n```\n\n### Tools\n\n| tool | use |\n|---|---|\n| ruff | lint |"
        "\n\n## שלום\n\nRTL text ✓\n"
    )
    again = await import_markdown(core, exported, fallback_title="x")
    assert await export_markdown(core, again.document.id) == exported  # type: ignore[arg-type]


async def test_import_names_and_refusals(core: VicechatCore) -> None:
    named = await import_markdown(core, "# Heading\n## A\n", title="Chosen", fallback_title="f")
    assert named.document.title == "Chosen"  # the person's --title wins over the heading
    titled = await import_markdown(core, "## A\n## B\n", title="Chosen", fallback_title="f")
    assert titled.document.title == "Chosen"
    assert [n.section.title for n in await core.sections.tree(named.document.id)] == ["A"]  # type: ignore[arg-type]
    fallback = await import_markdown(core, "## A\n## B\n", fallback_title="notes")
    assert fallback.document.title == "notes"
    before = await core.documents.count()
    with pytest.raises(InvalidInputError, match="longer than 500"):
        await import_markdown(core, "## ok\n## " + "x" * 600 + "\n", fallback_title="f")
    assert await core.documents.count() == before
