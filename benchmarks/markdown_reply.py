"""A long, varied Markdown reply split into model-like tokens (deterministic).

Prose paragraphs, headings, bullet and numbered lists, fenced code, tables and quotes, in
rotation; tokens are a word with its leading whitespace (newlines included), about five
characters each, as a chat model streams them.
"""

from __future__ import annotations

import re

WORDS = [
    "the",
    "moon",
    "keeps",
    "one",
    "face",
    "toward",
    "earth",
    "because",
    "tidal",
    "forces",
    "slowed",
    "its",
    "spin",
    "until",
    "the",
    "rotation",
    "matched",
    "the",
    "orbit",
    "and",
    "that",
    "lock",
    "shapes",
    "every",
    "crater",
    "map",
    "we",
    "draw",
    "today",
    "while",
    "dust",
    "settles",
    "into",
    "dark",
    "maria",
    "and",
    "bright",
    "highlands",
    "catch",
    "the",
    "low",
    "sunlight",
    "at",
    "dawn",
]

_TOKEN = re.compile(r"\s*\S+|\s+")


def _prose(seed: int, words: int) -> str:
    picked = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)]
    sentences = []
    for start in range(0, len(picked), 12):
        sentence = " ".join(picked[start : start + 12])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
    text = " ".join(sentences)
    return text.replace(" orbit ", " **orbit** ").replace(" crater ", " `crater` ")


def _block(index: int) -> str:
    kind = index % 7
    if kind == 0:
        return f"## Part {index // 7 + 1}: {WORDS[index % len(WORDS)].title()}"
    if kind in (1, 4):
        return _prose(index, 40 + index % 30)
    if kind == 2:
        return "\n".join(f"- {_prose(index + i, 6 + i)}" for i in range(5))
    if kind == 3:
        body = "\n".join(
            f"    total_{i} = sum(sample[{i}] for sample in orbit_{index % 5})" for i in range(6)
        )
        return (
            f"```python\ndef measure_{index}(orbit_{index % 5}):\n{body}\n    return total_0\n```"
        )
    if kind == 5:
        rows = "\n".join(
            f"| {WORDS[(index + i) % len(WORDS)]} | {i * 37 % 101} | {i * 1.5:.1f} km |"
            for i in range(6)
        )
        return f"| name | value | distance |\n|---|---:|---|\n{rows}"
    return "\n".join(f"{i + 1}. {_prose(index * 3 + i, 8)}" for i in range(4)) + (
        f"\n\n> {_prose(index, 14)}"
    )


def markdown_reply(tokens: int) -> list[str]:
    """At least `tokens` tokens of Markdown, cut to exactly `tokens`."""
    pieces: list[str] = []
    index = 0
    while len(pieces) < tokens:
        block = _block(index) + "\n\n"
        pieces.extend(_TOKEN.findall(block))
        index += 1
    return pieces[:tokens]


if __name__ == "__main__":
    reply = markdown_reply(20_000)
    text = "".join(reply)
    print(f"{len(reply)} tokens, {len(text):,} characters")
    print(text[:1500])
