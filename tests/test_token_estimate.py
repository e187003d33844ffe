"""The token estimate against real tokenizer counts, per script, and in the history budget."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.jobs.context import SectionContext, build_context
from vicechat_tui.core.jobs.tokens import WEIGHT_SCALE, estimate_tokens, token_weight
from vicechat_tui.core.models import ChatMessage

# Reference counts: OpenAI's cl100k_base (GPT-4) and o200k_base (GPT-4o) tokenizers, counted
# offline with js-tiktoken 1.0.21 (the npm port of tiktoken, which ships both rank files).
# No single tokenizer is "right" — the providers each have their own, and these two differ
# by up to three times on Hindi or Arabic — so the estimate aims between them and must land
# within TOLERANCE of their midpoint. These texts were written for this test and were not
# used to choose the weights in core/jobs/tokens.py (a separate set was).
TOLERANCE = 0.3

REFERENCE: dict[str, tuple[str, int, int]] = {
    "english": (
        "Before the meeting, please read the draft proposal and mark any section where the "
        "budget assumptions look too optimistic. We will go through the comments together on "
        "Thursday and decide which parts need another round of review.",
        40,
        40,
    ),
    "code": (
        "async def fetch_all(urls: list[str]) -> dict[str, int]:\n"
        "    async with httpx.AsyncClient(timeout=10) as client:\n"
        "        replies = await asyncio.gather(*(client.get(u) for u in urls))\n"
        "    return {str(r.url): r.status_code for r in replies}\n",
        61,
        62,
    ),
    "chinese": (
        "请在会议之前阅读提案草稿，并标出预算假设看起来过于乐观的部分。"
        "我们将在星期四一起讨论这些意见，并决定哪些部分需要再审一轮。",
        66,
        42,
    ),
    "japanese": (
        "会議の前に提案書の草案を読み、予算の前提が楽観的すぎると思われる箇所に印を付けて"
        "ください。木曜日に一緒にコメントを確認し、どの部分をもう一度見直すかを決めます。",
        88,
        67,
    ),
    "korean": (
        "회의 전에 제안서 초안을 읽고 예산 가정이 지나치게 낙관적으로 보이는 부분을 표시해 "
        "주세요. 목요일에 함께 의견을 검토하고 어느 부분을 다시 검토할지 결정하겠습니다.",
        85,
        50,
    ),
    "russian": (
        "Перед встречей, пожалуйста, прочитайте черновик предложения и отметьте разделы, где "
        "допущения по бюджету выглядят слишком оптимистичными. В четверг мы вместе разберём "
        "замечания.",
        86,
        44,
    ),
    "mixed": (
        "The 季度报告 (quarterly report) is due on 金曜日; see the チェックリスト in "
        "docs/review.md and ping Алексей if the numbers look off.",
        45,
        38,
    ),
    "emoji": (
        "Shipped it! 🚢 Tests are green 🟢, docs updated 📚, and the demo is ready 🎬🍿. "
        "Thanks everyone 🙏❤️",
        40,
        33,
    ),
    "spanish": (
        "Antes de la reunión, lean el borrador de la propuesta y marquen las secciones donde "
        "las hipótesis del presupuesto parezcan demasiado optimistas.",
        39,
        30,
    ),
    "arabic": (
        "قبل الاجتماع، يرجى قراءة مسودة الاقتراح وتحديد الأقسام التي تبدو فيها افتراضات "
        "الميزانية متفائلة أكثر من اللازم.",
        78,
        32,
    ),
    "hindi": (
        "बैठक से पहले कृपया प्रस्ताव का मसौदा पढ़ें और उन हिस्सों को चिह्नित करें जहाँ बजट की "
        "धारणाएँ बहुत आशावादी लगती हैं।",
        119,
        40,
    ),
    "greek": (
        "Πριν από τη συνάντηση, διαβάστε το προσχέδιο της πρότασης και σημειώστε τα σημεία "
        "όπου οι παραδοχές του προϋπολογισμού φαίνονται υπερβολικά αισιόδοξες.",
        135,
        55,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_the_estimate_lands_near_real_tokenizer_counts(name: str) -> None:
    text, cl100k, o200k = REFERENCE[name]
    midpoint = (cl100k + o200k) / 2
    estimate = estimate_tokens(text)
    assert abs(estimate - midpoint) <= TOLERANCE * midpoint, (
        f"{name}: estimated {estimate}, cl100k {cl100k}, o200k {o200k}"
    )


def test_cjk_costs_about_a_token_a_character_not_a_quarter() -> None:
    text = REFERENCE["chinese"][0]
    assert estimate_tokens(text) >= 0.9 * len(text)
    assert estimate_tokens("灯") == 2 and estimate_tokens("a") == 1  # rounded up
    assert token_weight("灯") > 4 * token_weight("a")


@given(st.text(), st.text())
def test_the_estimate_adds_up_over_pieces(first: str, second: str) -> None:
    """A streamed reply's count (the sum over its deltas) equals the estimate of its text."""
    assert token_weight(first) + token_weight(second) == token_weight(first + second)


def test_empty_text_and_odd_characters() -> None:
    assert estimate_tokens("") == 0
    assert token_weight("\ud800") > 0  # a lone surrogate does not raise
    assert token_weight("\x00\x1b") == 2 * WEIGHT_SCALE  # control characters cost a token each


def test_the_history_budget_keeps_a_cjk_history_within_the_window() -> None:
    text, cl100k, o200k = REFERENCE["chinese"]
    history = [
        ChatMessage(id=index, session_id=1, role=role, content=text)
        for index, role in enumerate(["user", "assistant"] * 30)
    ]
    window, reply_reserve = 2000, 500
    built = build_context(
        ChatConfig(max_tokens=reply_reserve, include_outline=False),
        SectionContext("Plan", [], "Budget", ""),
        history,
        "总结一下",
        context_window=window,
    )
    kept = built.messages[1:-1]
    assert built.trimmed_messages > 0 and kept
    assert all(message.content == text for message in kept)
    # Sized as either tokenizer would size it, what is sent still leaves the reply its room.
    sent = (len(kept) + 2) * (cl100k + o200k) / 2
    assert sent <= window - reply_reserve
    # …and the budget is used, not thrown away: a good part of it holds history.
    assert len(kept) * o200k >= (window - reply_reserve) / 3
