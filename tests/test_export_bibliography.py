"""The bibliography rules (core/transfer/bibliography.py) on plain data, and its loading
from a real database (SQLite and PostgreSQL): applied replies, markers, one list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.applied_replies import apply_reply
from tests.conftest import make_settings, saved_id
from vicechat_tui.core.errors import DocumentNotFoundError
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.transfer.bibliography import (
    AppliedReply,
    SectionText,
    applied_replies,
    build_bibliography,
)
from vicechat_tui.core.transfer.citation_markers import find_markers
from vicechat_tui.core.transfer.cited_sources import CitedSource, normalised_url
from vicechat_tui.core.transfer.publish import load_document
from vicechat_tui.core.transfer.reference_lists import (
    references_markdown,
    to_bibtex,
    to_csl_json,
)

READ = date(2025, 3, 14)


def web(number: int, url: str, title: str = "") -> CitedSource:
    return CitedSource(number, title or url, url, read_on=READ)


def reply(message_id: int, order: int, text: str, *sources: CitedSource) -> AppliedReply:
    return AppliedReply(message_id, order, text, {source.number: source for source in sources})


# -- markers ---------------------------------------------------------------------------------


def test_markers_outside_code_links_and_words_only() -> None:
    text = (
        "Claim [1]. Two at once [2, 3] and a range [4-6].\n\n"
        "`inline [7]` and x[8] and \\[9] and [link][10] and [11](http://a) ![12](b.png)\n\n"
        "```\ncode [13]\n```\n\n"
        "    indented [14]\n\n"
        "[15]: http://example.org\n\n"
        "Last [16]; a too-long range [1-2000]."
    )
    found = [numbers for _, _, numbers in find_markers(text)]
    assert found == [(1,), (2, 3), (4, 5, 6), (16,)]


# -- which reply a marker belongs to ----------------------------------------------------------


def test_edited_paragraph_finds_its_reply_and_ties_go_to_the_later_one() -> None:
    moon = reply(
        1, 2, "The Moon has no air and a thin exosphere [1].", web(1, "https://moon.example")
    )
    mars = reply(
        2, 3, "Mars has a thin carbon dioxide atmosphere [1].", web(1, "https://mars.example")
    )
    content = (
        "The Moon has almost no air, just a very thin exosphere [1].\n\n"
        "Mars keeps a thin carbon dioxide atmosphere [1].\n\n"
        "Unrelated words here [1]."
    )
    bibliography = build_bibliography([SectionText(10, content, [moon, mars])])
    urls = [reference.source.url for reference in bibliography.references]
    assert urls == ["https://moon.example", "https://mars.example"]
    rewritten = bibliography.rewrite(10, content)
    assert rewritten.splitlines()[0].endswith("exosphere \\[1\\].")
    assert rewritten.splitlines()[2].endswith("atmosphere \\[2\\].")
    assert rewritten.splitlines()[4] == "Unrelated words here \\[2\\]."  # tie: applied last


def test_shared_source_across_sections_is_numbered_once_in_first_cited_order() -> None:
    shared_a = web(2, "https://Example.org/page#intro", "Shared page")
    shared_b = web(1, "https://example.org/page", "Shared page (again)")
    first = SectionText(
        1,
        "Alpha [1] and shared [2].",
        [reply(1, 2, "Alpha [1] and shared [2].", web(1, "https://alpha.example"), shared_a)],
    )
    second = SectionText(
        2,
        "Shared again [1], beta [2].",
        [reply(2, 2, "Shared again [1], beta [2].", shared_b, web(2, "https://beta.example"))],
    )
    bibliography = build_bibliography([first, second])
    assert [reference.number for reference in bibliography.references] == [1, 2, 3]
    assert [normalised_url(r.source.url) for r in bibliography.references] == [
        "https://alpha.example/",
        "https://example.org/page",
        "https://beta.example/",
    ]
    assert bibliography.rewrite(2, second.content) == "Shared again \\[2\\], beta \\[3\\]."
    assert bibliography.unresolved == []


def test_markers_no_applied_reply_explains_are_left_and_reported() -> None:
    section = SectionText(
        5, "Known [1], unknown [7], mixed [1, 7].", [reply(1, 2, "x [1]", web(1, "https://a.b"))]
    )
    bibliography = build_bibliography([section, SectionText(6, "No replies here [3].")])
    assert bibliography.rewrite(5, section.content) == (
        "Known \\[1\\], unknown [7], mixed \\[1, 7\\]."
    )
    assert bibliography.unresolved == [(5, 7), (5, 7), (6, 3)]


def test_applied_replies_are_those_found_whole_in_an_applied_version() -> None:
    sources = [web(1, "https://a.example")]
    found = applied_replies(
        [(3, "Intro.\n\nReply one [1]. \u241b here"), (5, "Reply two [1].")],
        [
            (11, "Reply one [1]. \x1b here", sources),  # applied with controls made visible
            (12, "Reply two [1].", sources),
            (13, "Never applied [1].", sources),
            (14, "Reply two [1].", []),  # no sources: nothing to cite
        ],
    )
    assert [(r.message_id, r.order) for r in found] == [(11, 3), (12, 5)]


# -- writing the list -------------------------------------------------------------------------


def test_author_date_labels_and_references_list() -> None:
    first = web(1, "https://www.example.org/a", "First")
    second = web(2, "https://example.org/b", "Second")
    third = CitedSource(3, "Notes", kind="file", path="/home/me/notes.md", location="Intro")
    section = SectionText(
        1, "A [1]. B [2]. C [1, 3].", [reply(1, 2, "A [1]. B [2].", first, second, third)]
    )
    bibliography = build_bibliography([section])
    assert bibliography.rewrite(1, section.content, "author-date") == (
        "A (example\\.org, 2025a). B (example\\.org, 2025b). "
        "C (example\\.org, 2025a; notes\\.md, n\\.d\\.)."
    )
    listing = references_markdown(bibliography, "numeric")
    assert (
        "\\[1\\] First\\. example\\.org\\. <https://www.example.org/a>\\. Read 2025-03-14\\."
        in listing
    )
    assert "\\[3\\] Notes\\. /home/me/notes\\.md, Intro\\." in listing


def test_hostile_titles_stay_text_in_markdown_bibtex_and_csl() -> None:
    evil = web(1, "https://evil.example/x}y\\z a", "T}it{le\\ [x](javascript:1) <b>% \x1b]52;c;")
    bibliography = build_bibliography([SectionText(1, "Bad [1].", [reply(1, 2, "Bad [1].", evil)])])
    listing = references_markdown(bibliography)
    assert "javascript" not in listing.replace("javascript\\:", "")
    assert "\x1b" not in listing
    assert "<b>" not in listing
    bibtex = to_bibtex(bibliography)
    assert "title = {T\\}it\\{le\\textbackslash{} [x](javascript:1) <b>\\% \u241b]52;c;}" in bibtex
    assert "url = {https://evil.example/x%7Dy%5Cz%20a}" in bibtex
    unescaped = bibtex.replace("\\{", "").replace("\\}", "")
    assert unescaped.count("{") == unescaped.count("}")
    csl = to_csl_json(bibliography)
    assert json.loads(json.dumps(csl))[0]["title"].startswith("T}it{le")
    assert csl[0]["accessed"] == {"date-parts": [[2025, 3, 14]]}


# -- from the database --------------------------------------------------------------------------


async def test_loaded_from_the_database_with_a_source_shared_by_two_sections(
    core: VicechatCore,
) -> None:
    document = await core.documents.create("Cited")
    document_id = saved_id(document)
    first = saved_id(await core.sections.create(document_id, "First"))
    second = saved_id(await core.sections.create(document_id, "Second"))
    unapplied = saved_id(await core.sections.create(document_id, "Only chatted"))
    shared = {"number": 2, "url": "https://shared.example/", "title": "Shared"}
    await apply_reply(
        core,
        document_id,
        first,
        "One [1] two [2].",
        [{"number": 1, "url": "https://one.example", "title": "One"}, shared],
    )
    await apply_reply(core, document_id, second, "Shared [1].", [{**shared, "number": 1}])
    session = await core.chats.open_session(document_id, unapplied)
    message = await core.chats.add_message(saved_id(session), "assistant", "Never applied [1].")
    await core.chats.update_message(
        saved_id(message), sources=[{"number": 1, "url": "https://no.example", "title": "No"}]
    )
    section = await core.sections.get(unapplied)
    await core.sections.save_content(
        unapplied, "Typed by hand [1].", based_on_version=section.version
    )

    loaded = await load_document(core, document_id)
    bibliography = loaded.bibliography
    assert [r.source.url for r in bibliography.references] == [
        "https://one.example",
        "https://shared.example/",
    ]
    assert bibliography.rewrite(second, "Shared [1].") == "Shared \\[2\\]."
    assert bibliography.unresolved == [(unapplied, 1)]
    assert all(r.source.read_on is not None for r in bibliography.references)


async def test_another_users_document_is_not_loaded(tmp_path: Path) -> None:
    """The loader goes through `visible_document` (SQLite here: on PostgreSQL another user
    is another database role, which the team-mode tests cover for every reader)."""
    url = f"sqlite:///{tmp_path / 'two-users.db'}"
    mallory = await open_core(make_settings(user="mallory"), database_url=url)
    alice = await open_core(make_settings(user="alice"), database_url=url)
    try:
        theirs = saved_id(await mallory.documents.create("Private"))
        with pytest.raises(DocumentNotFoundError):
            await load_document(alice, theirs)
    finally:
        await mallory.aclose()
        await alice.aclose()
