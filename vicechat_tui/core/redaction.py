"""Keeping known secrets out of what vicechat stores, exports, logs and prints.

The secrets are the ones this process knows: API keys (from the environment or the config
file) and passwords written in the URLs of providers, the search service and the database.
A provider that echoes its key back, or an error that quotes a connection URL, must not put
them into a reply, the history, an export or a terminal.

- `Redactor.redact` replaces every known secret with `[redacted]`. The job engine applies it
  to everything a model writes (`stream` for a reply arriving in pieces, see
  `providers/redacting.py`), to errors, and once more to all it stores of a reply
  (`redact_data` over content, steps, sources and error).
- `mask_url_passwords` hides the password of any `scheme://user:password@host` in a text,
  known or not (`user:***@host`), for error messages, `config show` and the CLI's lines.

Secrets shorter than `MIN_SECRET_CHARS` are not searched for in free text: replacing every
"pass" in a reply would garble it. They are still hidden where they stand in a URL.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from vicechat_tui.core.settings import Settings

REDACTED = "[redacted]"
URL_PASSWORD_MASK = "***"
MIN_SECRET_CHARS = 8
WELL_KNOWN_KEY_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
"""Keys read from the environment even when the config names other variables."""

_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)[^\s'\"<>()]*@")
"""The password runs to the last @ of the URL: hiding a bit of the host (a URL with @ in its
path) is better than showing a bit of a password someone wrote without percent-encoding."""


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every `scheme://user:password@host` replaced by ***."""
    if "://" not in text:
        return text
    return _URL_PASSWORD.sub(rf"\g<head>{URL_PASSWORD_MASK}@", text)


def url_password(url: str | None) -> list[str]:
    """The password written in `url`, as written and decoded (empty list when none)."""
    if not url or "://" not in url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    if not password:
        return []
    return [password, unquote(password)]


@dataclass(frozen=True)
class Redactor:
    """Replaces a fixed set of secrets; false when it has none (nothing to do)."""

    secrets: tuple[str, ...] = ()
    _by_last_character: dict[str, list[tuple[int, str]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        unique = sorted(
            {secret for secret in self.secrets if len(secret) >= MIN_SECRET_CHARS},
            key=lambda secret: (-len(secret), secret),
        )
        object.__setattr__(self, "secrets", tuple(unique))
        # For the stream: where each secret's proper prefixes end, by their last character.
        for secret in unique:
            for length in range(len(secret) - 1, 0, -1):
                self._by_last_character.setdefault(secret[length - 1], []).append((length, secret))
        for prefixes in self._by_last_character.values():
            prefixes.sort(reverse=True)

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Redactor:
        return cls(tuple(value for value in values if value))

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced by `[redacted]`."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def redact_message(self, text: str | None) -> str | None:
        """For errors and log lines: known secrets and any password in a URL hidden."""
        return None if text is None else mask_url_passwords(self.redact(text))

    def redact_data(self, data: object) -> Any:
        """A copy of JSON-like `data` (dicts, lists, strings) with every string redacted."""
        if not self.secrets:
            return data
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {key: self.redact_data(value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self.redact_data(item) for item in data]
        return data

    def stream(self) -> StreamRedactor:
        """A redactor for a text that arrives in pieces (a secret may be split across them)."""
        return StreamRedactor(self)

    def prefix_at_end(self, text: str) -> int:
        """Length of the longest end of `text` that is the start of a secret (0 if none)."""
        if not text:
            return 0
        for length, secret in self._by_last_character.get(text[-1], ()):
            if length <= len(text) and text.endswith(secret[:length]):
                return length
        return 0


class StreamRedactor:
    """Redacts a reply piece by piece, holding back an end that may be the start of a secret.

    `feed` returns what can be shown now; `finish` what was held back (hidden when it is
    long enough to be most of a secret: a reply cut off in the middle of an echoed key).
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._redactor.redact(self._held + piece)
        keep = self._redactor.prefix_at_end(text)
        if keep:
            self._held = text[-keep:]
            return text[:-keep]
        self._held = ""
        return text

    def finish(self) -> str:
        held, self._held = self._held, ""
        return REDACTED if len(held) >= MIN_SECRET_CHARS else held


def known_secrets(settings: Settings, *database_urls: str | None) -> Redactor:
    """Every secret `settings` (and the database URLs in use) let this process know."""
    values: list[str | None] = []
    for provider in settings.effective_providers().values():
        values.append(provider.resolved_api_key())
        values.extend(url_password(provider.base_url))
    if settings.web_search is not None:
        values.append(settings.web_search.resolved_api_key())
        values.extend(url_password(settings.web_search.base_url))
    for url in (settings.database_url, *database_urls):
        values.extend(url_password(url))
    values.extend(os.environ.get(name) for name in WELL_KNOWN_KEY_VARIABLES)
    return Redactor.of(values)


NO_SECRETS = Redactor()


_guarded: list[Redactor] = []
"""The redactors of every core opened in this process, applied to each log record."""


class _RedactingRecords:
    """A log record factory that redacts each record's message and exception text."""

    def __init__(self, make_record: Callable[..., logging.LogRecord]) -> None:
        self.make_record = make_record

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make_record(*args, **kwargs)
        message = record.getMessage()
        trace = record.exc_text
        if record.exc_info and not trace:
            trace = logging.Formatter().formatException(record.exc_info)
        for guard in _guarded:
            message = guard.redact(message)
            trace = guard.redact(trace) if trace else trace
        record.msg, record.args = mask_url_passwords(message), None
        record.exc_text = mask_url_passwords(trace) if trace else trace
        return record


def guard_logs(redactor: Redactor) -> None:
    """Keep `redactor`'s secrets, and any password in a URL, out of every log record.

    Installed as the process's log record factory (once), so it covers vicechat's loggers and
    the libraries' alike (a driver error quoting a connection URL, say).
    """
    if redactor and redactor not in _guarded:
        _guarded.append(redactor)
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecords):
        logging.setLogRecordFactory(_RedactingRecords(factory))
