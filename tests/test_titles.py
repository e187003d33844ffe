"""The title rule: one definition for the services' errors and the dialogs' hints."""

from __future__ import annotations

import pytest

from tests.conftest import saved_id
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.titles import MAX_TITLE_CHARS, clean_title, title_problem

LONGEST = "x" * MAX_TITLE_CHARS


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("  My \n\t thesis  ", "My thesis"),
        ("論文\u3000第一章", "論文 第一章"),
        (LONGEST, LONGEST),
        (f"  {LONGEST[:250]} \n\n {LONGEST[251:]}  ", f"{LONGEST[:250]} {LONGEST[251:]}"),
    ],
    ids=["spaces", "ideographic-space", "longest", "collapses-to-longest"],
)
def test_a_valid_title_is_one_trimmed_line(value: str, cleaned: str) -> None:
    assert title_problem(value) is None
    assert clean_title(value) == cleaned


@pytest.mark.parametrize(
    ("value", "hint", "error"),
    [
        ("", "Give it a name.", "The section title is empty; give it a name."),
        (" \n\t\u3000", "Give it a name.", "The section title is empty; give it a name."),
        (
            LONGEST + "x",
            f"At most {MAX_TITLE_CHARS} characters.",
            f"The section title is longer than {MAX_TITLE_CHARS} characters.",
        ),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_a_refused_title_gives_a_hint_and_an_error(value: str, hint: str, error: str) -> None:
    assert title_problem(value) == hint
    assert title_problem(value, what="section title") == error
    with pytest.raises(InvalidInputError) as raised:
        clean_title(value, what="section title")
    assert raised.value.message == error


async def test_the_services_refuse_by_the_same_rule(core: VicechatCore) -> None:
    with pytest.raises(InvalidInputError, match=r"^The title is empty; give it a name\.$"):
        await core.documents.create(" \n ")
    document = await core.documents.create(f" {LONGEST} ")
    assert document.title == LONGEST
    with pytest.raises(InvalidInputError, match=f"longer than {MAX_TITLE_CHARS} characters"):
        await core.sections.create(saved_id(document), LONGEST + "x")
