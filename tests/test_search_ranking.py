"""Ranking on SQLite without FTS5's `bm25()`: the BM25 worked out from each candidate's
highlighted text, its `_docsize` record and the index's averages record is FTS5's own
(compared row by row on a real database), and snippets cut from highlighted text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Table, select

from tests.conftest import make_settings, saved_id
from vicechat_tui.core.models import Section
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.search.indexes import SECTION_INDEX
from vicechat_tui.core.search.matching import IndexQuery
from vicechat_tui.core.search.query import Term, parse_query
from vicechat_tui.core.search.ranking import (
    DOCUMENT_COUNT_BOUND,
    IndexTotals,
    TermCounter,
    estimated_matches,
    read_varints,
)
from vicechat_tui.core.search.snippets import CLOSE, ELLIPSIS, OPEN, cut_marked

TEXTS = {
    "Moon": "The moon and the tides. Moon light on moon dust.",
    "Tides": "Gravity of the moon pulls the sea; the sea rises twice a day.",
    "Owls": "Owls hunt at night by moon light, silent as dust.",
    "Notes": "A long note. " + "Nothing here but words and more words. " * 40 + "moon.",
    "Sea of moons": "Sea sea sea of tranquility, moon orbit, moonlight, moonrise.",
}


@pytest.fixture
async def sqlite_core(tmp_path: Path) -> VicechatCore:
    core = await open_core(make_settings(), database_url=f"sqlite:///{tmp_path / 'rank.db'}")
    document = saved_id(await core.documents.create("Ranking"))
    for title, content in TEXTS.items():
        await core.sections.create(document, title, content=content)
    return core


@pytest.mark.parametrize(
    "text",
    ["moon", "sea", "moon dust", '"moon light"', "moo*", "sea -owls", '"sea sea"', "moon light"],
)
async def test_scores_are_fts5s_bm25(sqlite_core: VicechatCore, text: str) -> None:
    sections: Table = Section.__table__  # type: ignore[attr-defined]
    matcher = IndexQuery(SECTION_INDEX, parse_query(text), "sqlite", sections)
    statement = (
        select(matcher.score.label("fts5"), *matcher.rank_columns)
        .select_from(matcher.source)
        .where(matcher.condition)
    )
    try:
        async with sqlite_core.database.session() as db:
            rows = list((await db.execute(statement)).mappings())
        assert rows
        ours = matcher.scores(rows)
        assert ours == pytest.approx([row["fts5"] for row in rows], rel=1e-9, abs=1e-12)
    finally:
        await sqlite_core.aclose()


def test_varints_and_totals() -> None:
    assert read_varints(bytes([0x05, 0x81, 0x00, 0x8C, 0xC1, 0x48])) == [5, 128, 205_000]
    assert read_varints(bytes([0xFF] * 8 + [0x01])) == [(2**56 - 1) << 8 | 1]
    assert read_varints(bytes([0x81])) == []  # cut short
    totals = IndexTotals.from_record(bytes([0x04, 0x0A, 0x1E]))
    assert (totals.rows, totals.tokens, totals.average_length) == (4, 40, 10.0)
    assert IndexTotals.from_record(None).average_length == 1.0
    assert totals.idf(4) == 1e-6  # in every row: clamped, as FTS5 does


def test_common_terms_are_estimated_from_their_newest_matches() -> None:
    assert estimated_matches(7, 90, 1, 1_000) == 7.0
    bound = DOCUMENT_COUNT_BOUND
    # the newest `bound` matches span the newest tenth of the keys: about 10× as many in all
    assert estimated_matches(bound, 901, 1, 1_000) == pytest.approx(bound * 10)
    assert estimated_matches(bound, 1, 1, 1_000) == bound


def test_term_counts_from_highlighted_text() -> None:
    marked = f"{OPEN}Moon{CLOSE} and {OPEN}moon light{CLOSE}, {OPEN}MOON{CLOSE} {OPEN}moon{CLOSE}"
    one = TermCounter([Term(("moon",))])
    assert one.counts(marked) == (4,)
    both = TermCounter([Term(("moon",)), Term(("moon", "light")), Term(("li",), prefix=True)])
    assert both.counts(marked) == (4, 1, 1)
    assert both.counts(None) == (0, 0, 0)
    overlapping = TermCounter([Term(("sea", "sea"))])
    assert overlapping.counts(f"{OPEN}sea sea sea{CLOSE}") == (2,)


def test_snippets_cut_from_highlighted_text_read_only_near_the_match() -> None:
    text = "word " * 10_000 + f"{OPEN}target{CLOSE} after " + "tail " * 10_000
    snippet = cut_marked(text, words=8)
    assert snippet.text == f"{ELLIPSIS}word word target after tail tail tail tail{ELLIPSIS}"
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["target"]
    short = cut_marked(f"A {OPEN}short{CLOSE} one.\nTwo lines.")
    assert short.text == "A short one. Two lines." and short.highlights == ((2, 7),)
    assert cut_marked("no match at all").text == "no match at all"
    assert cut_marked(f"{OPEN}unclosed mark").text == "unclosed mark"
