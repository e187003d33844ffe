"""ChatConfig's numeric ranges as the UI reads them: bounds, exclusivity and wording."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from vicechat_tui.core.chat_config import NumberRange, number_ranges


class Limits(BaseModel):
    ratio: float = Field(default=1.0, gt=0, lt=3)
    count: int = Field(default=1, ge=1)
    free: float = 0.0
    flag: bool = False
    name: str = ""


def test_ranges_are_read_from_the_field_constraints() -> None:
    assert number_ranges(Limits) == {
        "ratio": NumberRange("number", 0, 3, exclusive_minimum=True, exclusive_maximum=True),
        "count": NumberRange("integer", 1),
        "free": NumberRange("number"),
    }
    chat = number_ranges()
    assert chat["top_p"] == NumberRange("number", 0, 1, exclusive_minimum=True)
    assert chat["max_tokens"] == NumberRange("integer", 1, 200_000)


@pytest.mark.parametrize(
    ("number_range", "words", "inside", "outside"),
    [
        (NumberRange("number", 0, 2), "between 0 and 2", [0, 2], [-0.01, 2.01, float("nan")]),
        (
            NumberRange("number", 0, 1, exclusive_minimum=True),
            "more than 0 and at most 1",
            [1],
            [0],
        ),
        (NumberRange("integer", 1), "at least 1", [1, 10**9], [0]),
        (NumberRange("number", None, 3, exclusive_maximum=True), "less than 3", [-5], [3]),
        (NumberRange("number"), "any number", [-(10**9), 10**9], []),
    ],
)
def test_contains_and_describe(
    number_range: NumberRange, words: str, inside: list[float], outside: list[float]
) -> None:
    assert number_range.describe() == words
    assert all(number_range.contains(value) for value in inside)
    assert not any(number_range.contains(value) for value in outside)
