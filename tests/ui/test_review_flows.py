"""The review screen with real keys: a reply applied as an edit keeping 2 of its 3 changes,
two versions compared, and what the saved version records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.pilot import Pilot

from tests.ui.chat_fixtures import open_section, seed_chat
from tests.ui.conftest import SIZE, seed_document, settle, wait_for, workspace
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.review import ReviewScreen
from vicechat_tui.screens.versions import VersionsScreen
from vicechat_tui.widgets.diff_view import DiffView

ORIGINAL = "The quick brown fox jumps over the lazy dog.\n\nIt was a sunny day in May.\n"
REWRITE = "The swift brown fox jumps over the sleepy dog.\n\nIt was a rainy day in May.\n"


async def review_screen(pilot: Pilot[Any]) -> ReviewScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), what="the review")
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    await wait_for(
        pilot, lambda: bool(screen.query(DiffView)) and screen.diff_view.ready, what="the hunks"
    )
    return screen


async def test_a_reply_applied_as_an_edit_keeps_two_of_three_changes(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, ORIGINAL, based_on_version=1)
    await seed_chat(
        store,
        document_id,
        section_id,
        [{"role": "user", "content": "polish"}, {"role": "assistant", "content": REWRITE}],
    )
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, document_id, section_id)
        await pilot.press("alt+r")
        review = await review_screen(pilot)
        changes = [(change.old, change.new) for change in review.plan.diff.changes]
        assert changes == [("quick", "swift"), ("lazy", "sleepy"), ("sunny", "rainy")]
        assert "3 changes · keeping 3 of 3 · change 1 of 3" in str(review.summary.render())
        await pilot.press("j", "d")  # the second change dropped (the cursor moves on)
        assert review.decisions == ["new", "old", "new"]
        assert review.current == 2
        assert "keeping 2 of 3 · change 3 of 3" in str(review.summary.render())
        drawn = str(review.diff_view.hunk_text(0))
        assert "✓[-quick-]{+swift+}" in drawn and "✗[-lazy-]{+sleepy+}" in drawn
        await pilot.press("ctrl+s")
        editor = workspace(app).editor
        await wait_for(pilot, lambda: editor.version == 3, what="the save")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
    expected = "The swift brown fox jumps over the lazy dog.\n\nIt was a rainy day in May.\n"
    assert (await store.sections.get(section_id)).content == expected
    newest = (await store.sections.versions(section_id))[0]
    assert (newest.source, newest.changes_kept, newest.changes_total) == ("applied_reply", 2, 3)


async def test_cancelling_a_review_changes_nothing(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, ORIGINAL, based_on_version=1)
    await seed_chat(store, document_id, section_id, [{"role": "assistant", "content": REWRITE}])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, document_id, section_id)
        await pilot.press("alt+r")
        await review_screen(pilot)
        await pilot.press("D", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
        assert workspace(app).editor.text_area.text == ORIGINAL
    section = await store.sections.get(section_id)
    assert (section.content, section.version) == (ORIGINAL, 2)


async def test_two_versions_compared_in_the_diff_view(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, ORIGINAL, based_on_version=1)
    await store.sections.save_content(section_id, REWRITE, based_on_version=2)
    await store.sections.save_content(section_id, "Something else.\n", based_on_version=3)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, document_id, section_id)
        workspace(app).editor.text_area.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions")
        versions = app.screen
        assert isinstance(versions, VersionsScreen)
        await wait_for(pilot, lambda: versions.version_list.option_count == 4)
        await pilot.press("down", "m", "down", "c")  # v3 marked, v2 compared with it
        review = await review_screen(pilot)
        assert review.heading == "Version 2 → version 3"
        assert review.read_only
        assert [(c.old, c.new) for c in review.plan.diff.changes] == [
            ("quick", "swift"),
            ("lazy", "sleepy"),
            ("sunny", "rainy"),
        ]
        await pilot.press("j", "d", "ctrl+s")  # looking only: nothing to keep or save
        assert review.decisions == ["new", "new", "new"] and review.current == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is versions, what="back to the versions")
        await pilot.press("up", "m", "down", "c")  # v3 unmarked: v2 against the current text
        review = await review_screen(pilot)
        assert review.heading == "Version 2 → the current text"
    assert (await store.sections.get(section_id)).version == 4


BASE = "The cat sat on the mat. Dogs bark loudly at night.\n\nBirds sing in spring.\n"
THEIRS = "The dog sat on the rug. Dogs bark loudly at night.\n\nBirds sing in spring.\n"
YOURS = "The cat sat on the carpet. Dogs bark softly at night.\n\nBirds fly in spring.\n"


async def test_a_conflict_merges_what_does_not_overlap_and_asks_for_the_rest(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, BASE, based_on_version=1)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, document_id, section_id)
        editor = workspace(app).editor
        await store.sections.save_content(section_id, THEIRS, based_on_version=2)
        editor.text_area.focus()
        editor.text_area.load_text(YOURS)  # typed here meanwhile (one edit: the same draft)
        await pilot.press("ctrl+s")
        review = await review_screen(pilot)
        origins = [(c.origin, c.old, c.new, c.theirs) for c in review.plan.diff.changes]
        assert origins == [
            ("theirs", "cat", "dog", None),
            ("conflict", "mat", "carpet", "rug"),
            ("yours", "loudly", "softly", None),
            ("yours", "sing", "fly", None),
        ]
        assert review.decisions == ["new", None, "new", "new"]
        assert "1 conflict to choose" in str(review.summary.render())
        await pilot.press("j", "t", "ctrl+s")  # the conflict: theirs
        await wait_for(pilot, lambda: editor.version == 4, what="the merge saved")
        await settle(pilot)
    merged = "The dog sat on the rug. Dogs bark softly at night.\n\nBirds fly in spring.\n"
    assert (await store.sections.get(section_id)).content == merged
    newest = (await store.sections.versions(section_id))[0]
    assert (newest.source, newest.changes_kept, newest.changes_total) == ("merge", 4, 4)


FILLER = (
    "goes on and on, in plain words and at some length, so that the text between two changes "
    "is longer than twice the context a hunk shows and each change gets a hunk of its own."
)


async def long_review(
    pilot: Pilot[Any], store: VicechatCore, changes: int
) -> tuple[ReviewScreen, str]:
    """A reply changing one word on every other line (`changes` of them), applied as an edit;
    the unchanged lines are long enough to keep each change in a hunk of its own."""
    lines = [f"Line {n} says the weather was fine.\nLine {n} {FILLER}\n" for n in range(changes)]
    original = "".join(lines)
    rewrite = original.replace("was fine", "was grand")
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, original, based_on_version=1)
    await seed_chat(store, document_id, section_id, [{"role": "assistant", "content": rewrite}])
    await open_section(pilot, document_id, section_id)
    await pilot.press("alt+r")
    return await review_screen(pilot), original


def on_screen(view: DiffView, number: int) -> list[str]:
    """The rows of hunk `number` the view draws now, when it is wholly in view."""
    top, rows = view.hunk_span(number)
    first = top - round(view.scroll_y)
    assert first >= 0 and first + rows <= view.scrollable_content_region.height, "not in view"
    return [view.render_line(first + row).text for row in range(rows)]


async def test_a_long_review_follows_the_keys_to_the_last_change(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """40 hunks on a 24-row terminal: moving to the last change brings its hunk into view,
    drawn with the decision taken."""
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        review, _ = await long_review(pilot, store, 40)
        view = review.diff_view
        await wait_for(pilot, lambda: view.complete, what="every hunk laid out")
        assert view.scroll_y == 0 and "▶✓[-fine-]{+grand+}" in "".join(on_screen(view, 0))
        await pilot.press(*["j"] * 39, "d")
        await settle(pilot)
        assert review.current == 39 and review.decisions[39] == "old"
        assert view.scroll_y > 0
        assert "▶✗[-fine-]{+grand+}" in "".join(on_screen(view, 39))
        assert "▶" not in "".join(on_screen(view, 38))  # (the last but one is in view too)
        await pilot.press("escape")
        await settle(pilot)


async def test_three_thousand_hunks_are_one_widget_and_the_keys_reach_the_last(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """A diff of 3,000 hunks mounts no widget per hunk: the review has as many widgets as a
    3-change one; `j` sent 2,999 times reaches the last change, in view; saving after
    dropping it keeps the other 2,999."""
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        small, _ = await long_review(pilot, store, 3)
        await settle(pilot)
        widgets_for_three = len(list(small.walk_children()))
        await pilot.press("escape")
        await settle(pilot)
        review, original = await long_review(pilot, store, 3_000)
        assert len(review.plan.hunks) == 3_000
        await settle(pilot)
        view = review.diff_view
        assert len(list(review.walk_children())) == widgets_for_three and not view.children
        for _ in range(2_999):  # as a terminal sends them (pilot.press waits ~2 frames a key)
            app.post_message(events.Key("j", "j"))
        await wait_for(pilot, lambda: review.current == 2_999, timeout=120, what="the last")
        await pilot.press("d")
        await settle(pilot)
        assert review.decisions.count("old") == 1 and review.decisions[2_999] == "old"
        assert "▶✗[-fine-]{+grand+}" in "".join(on_screen(view, 2_999))
        assert "Line 2999 says" in "".join(on_screen(view, 2_999))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReviewScreen), what="saved")
        await settle(pilot)
        expected = original.replace("was fine", "was grand")
        expected = expected.replace(
            "2999 says the weather was grand", "2999 says the weather was fine"
        )
        assert workspace(app).editor.text_area.text == expected


async def test_hunks_wrap_to_the_width_and_a_width_seen_before_is_reused(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """Narrowing the terminal wraps each hunk into more rows, none wider than the view; the
    current change stays in view; widening back reuses the rows laid out before."""
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        review, _ = await long_review(pilot, store, 12)
        view = review.diff_view
        await pilot.press("j", "j", "j")
        await settle(pilot)
        wide = view.hunk_span(3)[1]
        wide_width = view.scrollable_content_region.width
        await pilot.resize_terminal(60, 30)
        await settle(pilot)
        narrow_width = view.scrollable_content_region.width
        assert view.hunk_span(3)[1] > wide
        rows = on_screen(view, 3)
        assert "▶✓[-fine-]{+grand+}" in "".join(rows).replace(" ", "").replace("▎", "")
        assert all(len(row.rstrip()) <= narrow_width for row in rows)
        assert set(view.layout_widths) == {wide_width, narrow_width}
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert view.hunk_span(3)[1] == wide
        await pilot.press("escape")
        await settle(pilot)
