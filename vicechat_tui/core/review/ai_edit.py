"""The parts of an AI edit of a selection that do not depend on the UI: which span is edited
(the selection, else the paragraph at the cursor, else the whole section), the request sent
to the model, and the rewrite taken out of its reply.

The request gives the span, the section around it and the document outline, and asks for the
replacement text only; a model often wraps it anyway ("Here is the revised text:", a code
fence around it, "Let me know if…" after it), so `clean_rewrite` takes those off — but only
when they are clearly wrappers: a fence the span itself started with stays.
"""

from __future__ import annotations

import re

CONTEXT_CHARS = 2_000
"""Characters of the section shown before and after the span."""
_PREAMBLE = re.compile(
    r"\A\s*(?:sure[,!.]?\s*)?(?:here(?:'s| is| are)\b[^\n]*|(?:revised|rewritten|edited|"
    r"updated|improved) (?:text|version|passage)[^\n]*):\s*\n+",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"\n+\s*(?:let me know|i hope|feel free|hope this)[^\n]*\s*\Z", re.IGNORECASE)
_FENCE = re.compile(r"\A\s*(```|~~~)[^\n]*\n(?P<body>.*?)\n?\1\s*\Z", re.DOTALL)


def paragraph_span(text: str, at: int) -> tuple[int, int]:
    """The paragraph (text between blank lines) holding character `at`, without its breaks."""
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    while end > start and text[end - 1] == "\n":
        end -= 1
    return start, end


def edit_request(
    instruction: str, section: str, start: int, end: int, outline: list[tuple[int, str]]
) -> str:
    """The message asking for a rewrite of section[start:end] as `instruction` says."""
    outline_text = "\n".join(f"{'  ' * depth}- {title}" for depth, title in outline)
    before = section[max(0, start - CONTEXT_CHARS) : start]
    after = section[end : end + CONTEXT_CHARS]
    return (
        f"Rewrite the passage below: {instruction.strip()}\n\n"
        "Reply with the replacement text only — no introduction, no explanation, no code "
        "fence around it — so that it can replace the passage exactly.\n\n"
        f"Document outline:\n{outline_text or '(no sections)'}\n\n"
        f"Text before the passage:\n<<<\n{before}\n>>>\n\n"
        f"The passage:\n<<<\n{section[start:end]}\n>>>\n\n"
        f"Text after the passage:\n<<<\n{after}\n>>>"
    )


def clean_rewrite(reply: str, original: str) -> str:
    """The rewrite in `reply`, without a preamble, a closing remark or a wrapping fence (one
    `original` did not itself have), and with `original`'s trailing line breaks."""
    text = _PREAMBLE.sub("", reply, count=1)
    text = _CLOSING.sub("", text)
    fenced = _FENCE.match(text)
    if fenced and not original.lstrip().startswith(("```", "~~~")):
        text = fenced.group("body")
    text = text.strip("\n")
    trailing = original[len(original.rstrip("\n")) :]
    return text + trailing
