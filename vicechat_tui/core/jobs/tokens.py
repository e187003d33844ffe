"""How many tokens a text costs, estimated without a tokenizer, per script.

Providers do not share a tokenizer, so the history budget and the live counter of a reply
use one estimate: every character weighs what byte-pair tokenizers typically spend on it.
English runs about four characters a token; Cyrillic two; Greek, Hebrew, Arabic, Indic and
Thai letters one to two; a CJK ideograph, kana or hangul syllable about one token; an emoji
about two. The weights sit between OpenAI's cl100k_base (GPT-4) and o200k_base (GPT-4o)
counts, which differ by up to three times on some scripts; tests/test_token_estimate.py
shows how close they come.

The estimate adds up (a text weighs the sum of its pieces), so the counter of a streamed
reply is the sum over its deltas, and it runs in C: the text is encoded as UTF-8, each byte
is translated into the weight of the character it starts (continuation bytes weigh
nothing), and the weights are summed. A UTF-8 lead byte tells the block of its character
well enough to tell the scripts apart.
"""

from __future__ import annotations

import string

WEIGHT_SCALE = 100
"""Weights are in hundredths of a token."""

# An ASCII letter is mostly part of a longer word token; a space usually joins the next word;
# digits group in threes at most; punctuation and line ends are often tokens of their own.
_ASCII_LETTER = 24
_ASCII_DIGIT = 70
_ASCII_SPACE = 5
_ASCII_LINE = 50
_ASCII_PUNCTUATION = 70
_ASCII_CONTROL = 100

# (first lead byte, last lead byte, weight of a character starting with one of them)
_LEAD_BYTE_WEIGHTS = (
    (0xC2, 0xC3, 90),  # U+0080-00FF Latin-1: accented letters split words (é, ü, ñ), « ° ©
    (0xC4, 0xCB, 120),  # U+0100-02FF Latin Extended (ł, ş, ő), IPA
    (0xCC, 0xCD, 50),  # U+0300-037F combining accents
    (0xCE, 0xCF, 75),  # U+0380-03FF Greek
    (0xD0, 0xD4, 50),  # U+0400-053F Cyrillic
    (0xD5, 0xD7, 75),  # U+0540-05FF Armenian, Hebrew
    (0xD8, 0xDF, 60),  # U+0600-07FF Arabic, Syriac, Thaana
    (0xE0, 0xE0, 80),  # U+0800-0FFF Devanagari and the other Indic scripts, Thai, Lao, Tibetan
    (0xE1, 0xE1, 120),  # U+1000-1FFF Myanmar, Georgian, Khmer, Vietnamese letters (ế, ạ)
    (0xE2, 0xE2, 100),  # U+2000-2FFF punctuation (— “ …), arrows, maths, box drawing, ☀ ✅
    (0xE3, 0xE3, 100),  # U+3000-3FFF CJK punctuation (。、「), hiragana, katakana
    (0xE4, 0xE9, 115),  # U+4000-9FFF CJK ideographs
    (0xEA, 0xED, 120),  # U+A000-DFFF mostly hangul syllables
    (0xEE, 0xEF, 100),  # U+E000-FFFF full-width forms (，！？), presentation forms
    (0xF0, 0xF4, 200),  # U+10000 and up: emoji, rarer ideographs
)


def _weight_table() -> bytes:
    """The weight, in hundredths of a token, of the character each UTF-8 byte starts."""
    table = bytearray(256)  # continuation bytes (0x80-0xBF) and invalid ones weigh 0
    for byte in range(128):
        char = chr(byte)
        if char in string.ascii_letters:
            table[byte] = _ASCII_LETTER
        elif char in string.digits:
            table[byte] = _ASCII_DIGIT
        elif char == " ":
            table[byte] = _ASCII_SPACE
        elif char in "\n\r\t":
            table[byte] = _ASCII_LINE
        elif char in string.punctuation:
            table[byte] = _ASCII_PUNCTUATION
        else:
            table[byte] = _ASCII_CONTROL
    for first, last, weight in _LEAD_BYTE_WEIGHTS:
        table[first : last + 1] = bytes([weight]) * (last + 1 - first)
    return bytes(table)


_WEIGHTS = _weight_table()


def token_weight(text: str) -> int:
    """The estimated tokens of `text` in hundredths (`WEIGHT_SCALE`); additive over pieces."""
    return sum(text.encode("utf-8", "surrogatepass").translate(_WEIGHTS))


def estimate_tokens(text: str) -> int:
    """The estimated number of tokens `text` costs, rounded up."""
    return tokens_from_weight(token_weight(text))


def tokens_from_weight(weight: int) -> int:
    """Whole tokens for a weight in hundredths, rounded up (any text costs at least one)."""
    return -(-weight // WEIGHT_SCALE)
