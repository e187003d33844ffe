"""How provider failures are recognised and worded: statuses, payloads, Retry-After."""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from datetime import UTC

from vicechat_tui.core.errors import (
    ProviderServerError,
    ProviderUnreachableError,
    RateLimitedError,
)

#: Failures worth another try. Timeouts are not retried: the wait was long already.
RETRIED_ERRORS = (RateLimitedError, ProviderServerError, ProviderUnreachableError)

#: Error `type`/`code` values found in error payloads, as the HTTP status they stand for.
ERROR_TYPE_STATUS = {
    "invalid_request_error": 400,
    "context_length_exceeded": 400,
    "authentication_error": 401,
    "invalid_api_key": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "model_not_found": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "api_error": 500,
    "server_error": 500,
    "overloaded_error": 529,
}

CONTEXT_WORDING = re.compile(
    r"context[ _-]?(length|window|size)|maximum context|prompt is too long|too many tokens"
    r"|input is too long|request too large|reduce the length",
    re.IGNORECASE,
)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def server_message(body: bytes | str | object) -> str:
    """The human part of an error body or payload (OpenAI, Anthropic and Ollama shapes)."""
    data: object = body
    if isinstance(body, bytes | str):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            data = json.loads(text)
        except ValueError:  # plain text, or an HTML error page from a proxy
            return " ".join(re.sub(r"<[^>]*>", " ", text).split())[:300]
    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, str):
            return inner[:300]
        if isinstance(inner, dict):
            for key in ("message", "detail", "error"):
                if isinstance(inner.get(key), str):
                    return str(inner[key])[:300]
    return "" if data is None else json.dumps(data)[:300]


def wait_wording(seconds: float | None) -> str:
    if seconds is None:
        return "in a moment"
    if seconds < 90:
        return f"in {max(1, math.ceil(seconds))} s"
    at = time.strftime("%H:%M", time.localtime(time.time() + seconds))
    return f"in {math.ceil(seconds / 60)} min (after {at})"


def has_cause(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
