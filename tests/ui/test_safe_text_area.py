"""SafeTextArea on its own: what it draws, where its cursor is, and the exact text it gives back.

Each test presses real keys in a small app; the strips the widget renders are read back, and
no raw control character may be in them.
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text_area import HIDDEN, SafeTextArea, from_display, to_display

TEXT = "a\x1b]52;c;SGk=\x07b\nc\x9b2Jd\u202ee\x0cf\x85g\u2028h\r\ni\rj"
"""Controls, C1, bidi, and the characters Textual's TextArea would turn into line breaks."""


class OneArea(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.initial = text

    def compose(self) -> ComposeResult:
        yield SafeTextArea(self.initial, id="area", soft_wrap=False)
        yield SafeInput(self.initial.split("\n")[0], id="input")


def drawn_lines(area: SafeTextArea) -> list[str]:
    """The widget's rendered lines, after checking no raw control character is in them."""
    lines = []
    for y in range(area.document.line_count):
        strip = area.render_line(y)
        text = "".join(segment.text for segment in strip)
        raw = [hex(ord(char)) for char in text if char in HIDDEN]
        assert not raw, f"line {y}: {raw} reach the terminal"
        lines.append(text.rstrip())
    return lines


def test_every_hidden_character_has_a_one_cell_stand_in_that_comes_back() -> None:
    from rich.cells import cell_len

    every = "".join(HIDDEN)
    shown = to_display(every)
    assert len(shown) == len(every) and not set(shown) & set(every)
    assert all(cell_len(char) == 1 for char in shown)
    assert from_display(shown) == every
    assert from_display(to_display(TEXT)) == TEXT


async def test_controls_are_drawn_as_symbols_and_the_text_stays_exact() -> None:
    app = OneArea(TEXT)
    async with app.run_test(size=(60, 12)) as pilot:
        area = app.query_one(SafeTextArea)
        assert area.text == TEXT
        assert drawn_lines(area) == ["a␛]52;c;SGk=␇b", "c␦2Jd⇄e␌f␦g␤h␍", "i␍j"]
        area.focus()
        await pilot.press("end", "X")  # the cursor goes past every symbol, one cell each
        assert area.cursor_screen_offset.x - area.content_region.x == len("a␛]52;c;SGk=␇bX")
        assert area.text == TEXT.replace("b\n", "bX\n", 1)


async def test_copy_cut_paste_and_undo_keep_the_original_characters() -> None:
    app = OneArea(TEXT)
    async with app.run_test(size=(60, 12)) as pilot:
        area = app.query_one(SafeTextArea)
        area.focus()
        await pilot.press("f7", "ctrl+c")
        assert app.clipboard == TEXT
        await pilot.press("ctrl+x")
        assert (area.text, app.clipboard) == ("", TEXT)
        await pilot.press("ctrl+z")
        assert area.text == TEXT
        app.copy_to_clipboard("p\x1b[2Jq\r\nr")
        await pilot.press("f7", "ctrl+v")  # a pasted CRLF is a line break, as in any TextArea
        assert area.text == "p\x1b[2Jq\nr"
        assert drawn_lines(area) == ["p␛[2Jq", "r"]


async def test_a_text_already_holding_stand_ins_is_kept_exactly_and_drawn_safely() -> None:
    odd = to_display("\x1b") + " stand-in, then a real \x1b]0;x\x07 escape"
    app = OneArea(odd)
    async with app.run_test(size=(60, 12)) as pilot:
        area = app.query_one(SafeTextArea)
        assert area.text == odd
        # Kept as it is, so the real controls count zero cells to the TextArea while their
        # symbols take one: the end of the line may be cut off (never the text itself).
        assert drawn_lines(area)[0].startswith("␛ stand-in, then a real ␛]0;x␇ escap")
        area.focus()
        await pilot.press("end", "!")
        assert area.text == odd + "!"


async def test_the_input_draws_controls_and_zero_width_characters_as_symbols() -> None:
    title = "Title \x1b]0;x\x1b\\ \u202eabc\u200b!"
    app = OneArea(title)
    async with app.run_test(size=(60, 6)) as pilot:
        field = app.query_one(SafeInput)
        text = "".join(segment.text for segment in field.render_line(0))
        assert text.rstrip() == "Title ␛]0;x␛\\ ⇄abc␣!"
        field.focus()
        await pilot.press("end", "question_mark")
        assert field.value == title + "?"
