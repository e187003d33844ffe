"""Word-level diffs: tokens, kept subsets of changes, and three-way merges (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vicechat_tui.core.review.diff import MAX_TOKEN_PRODUCT, Change, diff_texts
from vicechat_tui.core.review.merge import merge_texts
from vicechat_tui.core.review.tokens import tokenize

WORDS = ["alpha", "beta", "the", "a", "gamma", "don't", "x", "42", "été"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from([" ", "  ", "\n", "\n\n", ".", ",", "!", "—", "\t"]),
    st.sampled_from(["```\n", "code line\n", "| a | b |\n", "~~~\n"]),
    st.text(max_size=3),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def test_prose_is_cut_into_words_punctuation_and_whitespace() -> None:
    assert tokenize("Don't stop, now.\n") == ["Don't", " ", "stop", ",", " ", "now", ".", "\n"]


def test_code_fences_and_tables_are_cut_into_lines() -> None:
    text = "Intro text\n```python\nx = 1 + 2\n```\n| a | b |\n| 1 | 2 |\nEnd"
    assert tokenize(text) == [
        "Intro", " ", "text", "\n",
        "```python\n", "x = 1 + 2\n", "```\n",
        "| a | b |\n", "| 1 | 2 |\n",
        "End",
    ]  # fmt: skip


def test_words_changed_next_to_each_other_are_one_change() -> None:
    diff = diff_texts("The quick brown fox.", "The slow red fox.")
    assert [(c.old, c.new) for c in diff.changes] == [("quick brown", "slow red")]
    assert diff.summary().line() == "+2 words, −2 words, 1 change"
    assert diff.ops() == [
        ("equal", "The "),
        ("delete", "quick brown"),
        ("insert", "slow red"),
        ("equal", " fox."),
    ]


def test_a_code_line_changes_as_a_whole_line() -> None:
    diff = diff_texts("```\nx = 1\ny = 2\n```\n", "```\nx = 10\ny = 2\n```\n")
    assert [(c.old, c.new) for c in diff.changes] == [("x = 1\n", "x = 10\n")]


def test_a_rewrite_too_long_to_compare_word_by_word_is_one_change() -> None:
    old = " ".join(["word"] * 3000)
    new = " ".join(["other"] * 3000)
    assert len(tokenize(old)) * len(tokenize(new)) > MAX_TOKEN_PRODUCT
    diff = diff_texts(old, new)
    assert [(c.old, c.new) for c in diff.changes] == [(old, new)]


def _splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) span replaced; spans in order."""
    parts, at = [], 0
    for start, end, replacement in spans:
        parts += [text[at:start], replacement]
        at = end
    return "".join([*parts, text[at:]])


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS, st.data())
def test_kept_changes_are_exactly_the_ones_accepted(
    old: str, new: str, data: st.DataObject
) -> None:
    diff = diff_texts(old, new)
    every = range(len(diff.changes))
    assert diff.apply(every) == new
    assert diff.apply(()) == old
    kept = data.draw(st.sets(st.sampled_from(list(every))) if diff.changes else st.just(set()))
    result = diff.apply(kept)
    # Built independently from either side: the old text with the kept changes spliced in
    # at their old places, and the new text with the others put back at their new places.
    from_old = [(c.old_start, c.old_end, c.new) for i, c in enumerate(diff.changes) if i in kept]
    from_new = [
        (c.new_start, c.new_end, c.old) for i, c in enumerate(diff.changes) if i not in kept
    ]
    assert result == _splice(old, from_old) == _splice(new, from_new)
    for change in diff.changes:
        assert change.old != change.new
        assert old[change.old_start : change.old_end] == change.old
        assert new[change.new_start : change.new_end] == change.new


@st.composite
def two_sided_edits(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """A base of distinct words, and edits of two sides on words at least one word apart:
    (base, yours, theirs, both edits made)."""
    size = draw(st.integers(min_value=1, max_value=30))
    words = [f"w{index}" for index in range(size)]
    sides = draw(st.lists(st.sampled_from([None, "yours", "theirs"]), min_size=size, max_size=size))
    for index in range(1, size):  # a word of either side is never next to the other side's
        if sides[index] and sides[index - 1] and sides[index] != sides[index - 1]:
            sides[index] = None
    kinds = draw(
        st.lists(st.sampled_from(["replace", "delete", "insert"]), min_size=size, max_size=size)
    )

    def edited(side: str | None, both: bool = False) -> str:
        out = []
        for index, word in enumerate(words):
            owner = sides[index]
            if owner is None or (owner != side and not both):
                out.append(word)
            elif kinds[index] == "replace":
                out.append(f"{owner}{index}")
            elif kinds[index] == "insert":
                out += [word, f"new{owner}{index}"]
        return " ".join(out) + "."

    return edited(None), edited("yours"), edited("theirs"), edited(None, both=True)


@settings(max_examples=300, deadline=None)
@given(two_sided_edits())
def test_a_merge_of_edits_that_do_not_overlap_holds_both_sides(
    case: tuple[str, str, str, str],
) -> None:
    base, yours, theirs, expected = case
    merged = merge_texts(base, yours, theirs)
    assert all(change.origin != "conflict" for change in merged.changes)
    assert merged.apply(range(len(merged.changes))) == expected
    assert merged.apply(()) == base


def test_overlapping_edits_are_a_conflict_holding_both_texts() -> None:
    merged = merge_texts("one two three\n", "one TWO three\n", "one deux three\n")
    (conflict,) = merged.changes
    assert (conflict.old, conflict.new, conflict.theirs, conflict.origin) == (
        "two",
        "TWO",
        "deux",
        "conflict",
    )
    assert merged.apply({0}) == "one TWO three\n"
    assert merged.apply({0}, theirs={0}) == "one deux three\n"
    assert merged.apply(()) == "one two three\n"


def test_the_same_edit_on_both_sides_is_one_change() -> None:
    merged = merge_texts("a b c", "a B c", "a B c")
    assert [(c.origin, c.old, c.new) for c in merged.changes] == [("both", "b", "B")]


def test_an_insertion_is_a_change_with_nothing_old() -> None:
    assert diff_texts("ab cd", "ab xy cd").changes == (Change("", "xy ", 3, 3),)
