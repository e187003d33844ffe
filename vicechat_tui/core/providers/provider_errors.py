"""The errors of one provider, worded for a person: what failed, at which provider and
address, and which setting or step fixes it — with the API key scrubbed from every message
and detail. `ProviderHttp` raises them; the protocol modules use `malformed`,
`interrupted` and `payload_error` for what a stream says."""

from __future__ import annotations

import json
import socket

import httpx

from vicechat_tui.core.errors import (
    AuthenticationError,
    BadRequestError,
    ContextTooLongError,
    MalformedStreamError,
    ModelNotFoundError,
    ProviderError,
    ProviderNotConfiguredError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnreachableError,
    RateLimitedError,
    ReplyTooLargeError,
    StreamInterruptedError,
)
from vicechat_tui.core.providers.faults import (
    CONTEXT_WORDING,
    ERROR_TYPE_STATUS,
    has_cause,
    server_message,
    wait_wording,
)
from vicechat_tui.core.settings import ProviderSettings


class ProviderErrorWording:
    """The error-making part of `ProviderHttp` (which sets these attributes)."""

    name: str
    settings: ProviderSettings
    api_key: str | None
    display_url: str
    host: str

    def redact(self, text: str | None) -> str | None:
        """`text` without the API key in it."""
        key = self.api_key
        if text and key and len(key) >= 4:
            return text.replace(key, "[API key]")
        return text

    def scrub(self, error: ProviderError) -> None:
        """Remove the API key from an error's message and detail, whoever wrote them."""
        error.message = self.redact(error.message) or ""
        error.args = (error.message,)
        error.detail = self.redact(error.detail)

    def transport_error(self, error: Exception, *, mid_reply: bool) -> ProviderError:
        """The typed error for a failure below HTTP (connect, DNS, timeouts, disconnects)."""
        who, url = f"provider '{self.name}'", self.display_url
        detail = self.redact(f"{type(error).__name__}: {error} ({url})")
        if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return ProviderNotConfiguredError(
                f"The base_url of {who} ({url}) is not a usable http:// or https:// address; "
                f"fix it in [providers.{self.name}] of the config file.",
                detail=detail,
            )
        if isinstance(error, httpx.ConnectTimeout):
            return ProviderTimeoutError(
                f"Could not connect to {who} at {url} within {self.settings.connect_timeout:g} s "
                "(connect_timeout) — is the address right and the server up?",
                detail=detail,
            )
        if isinstance(error, httpx.TimeoutException):
            waited = f"{self.settings.read_timeout:g} s (read_timeout)"
            if mid_reply:
                return ProviderTimeoutError(
                    f"The reply from {who} stalled: nothing arrived for {waited}.", detail=detail
                )
            return ProviderTimeoutError(
                f"{who.capitalize()} at {url} did not answer within {waited}.", detail=detail
            )
        if mid_reply:
            return StreamInterruptedError(
                f"The connection to {who} broke in the middle of the reply.", detail=detail
            )
        if isinstance(error, httpx.ConnectError) and has_cause(error, socket.gaierror):
            return ProviderUnreachableError(
                f"Could not find the host '{self.host}' of {who} ({url}) — check base_url "
                "and your network connection.",
                detail=detail,
            )
        if isinstance(error, httpx.ConnectError):
            return ProviderUnreachableError(
                f"Could not connect to {who} at {url} — is the server running?", detail=detail
            )
        return ProviderUnreachableError(
            f"{who.capitalize()} at {url} closed the connection without answering.",
            detail=detail,
        )

    def status_error(
        self, status: int, body: bytes, model: str | None, retry_after: float | None = None
    ) -> ProviderError:
        """The typed error for an HTTP error status."""
        text = body.decode("utf-8", "replace")
        return self._error_for(status, server_message(body), text, model, retry_after)

    def payload_error(self, payload: object, model: str | None) -> ProviderError:
        """The typed error for an error object sent inside a stream."""
        status = 500
        if isinstance(payload, dict):
            for key in ("code", "type", "status"):
                value = payload.get(key)
                if isinstance(value, int) and 400 <= value <= 599:
                    status = value
                    break
                if isinstance(value, str) and value in ERROR_TYPE_STATUS:
                    status = ERROR_TYPE_STATUS[value]
                    break
        raw = json.dumps(payload) if not isinstance(payload, str) else payload
        return self._error_for(status, server_message({"error": payload}), raw, model, None)

    def _error_for(
        self, status: int, message: str, raw: str, model: str | None, retry_after: float | None
    ) -> ProviderError:
        who = f"Provider '{self.name}'"
        said = f": {message.rstrip('.')}" if message else ""
        detail = self.redact(f"HTTP {status} from {self.display_url}: {raw[:1000]}")
        key_env = self.settings.api_key_env
        if status in (401, 403):
            where = (
                f"the environment variable {key_env}"
                if key_env
                else f"api_key_env or api_key in [providers.{self.name}] of the config file"
            )
            if not self.api_key:
                text = f"{who} needs an API key (HTTP {status}); set it in {where}."
            elif status == 401:
                text = f"{who} refused the API key (HTTP 401){said}. Check the key in {where}."
            else:
                text = f"{who} denied access (HTTP 403){said}. The key in {where} may lack access."
            return AuthenticationError(self.redact(text) or "", detail=detail)
        if status == 404:
            if model:
                text = (
                    f"{who} does not know the model '{model}' (HTTP 404){said}. Pick another "
                    f"model, or check base_url ({self.display_url})."
                )
                return ModelNotFoundError(self.redact(text) or "", detail=detail)
            text = f"{who} has no such endpoint (HTTP 404) — check base_url ({self.display_url})."
            return ProviderError(text, detail=detail)
        if status == 429:
            text = f"{who} is limiting requests (HTTP 429); try again {wait_wording(retry_after)}."
            return RateLimitedError(text, retry_after=retry_after, detail=detail)
        if CONTEXT_WORDING.search(raw) or status == 413:
            text = (
                f"The conversation is too long for model '{model or '?'}' at provider "
                f"'{self.name}'{said}. Reset the chat, send less context, or lower "
                f"context_window in [providers.{self.name}] so older messages are left out."
            )
            return ContextTooLongError(self.redact(text) or "", detail=detail)
        if 400 <= status < 500:
            text = f"{who} refused the request (HTTP {status}){said}."
            return BadRequestError(self.redact(text) or "", detail=detail)
        if status >= 500:
            text = f"{who} failed to answer (HTTP {status}){said}."
            return ProviderServerError(self.redact(text) or "", detail=detail)
        return ProviderError(f"{who} answered with HTTP {status}{said}.", detail=detail)

    def too_large(self, what: str, setting: str) -> ReplyTooLargeError:
        """The error for a response past one of the size bounds."""
        return ReplyTooLargeError(
            f"Provider '{self.name}' sent {what}, past the bound set by {setting} in "
            f"[providers.{self.name}]; the reply was stopped there.",
            detail=f"from {self.display_url}",
        )

    def reply_too_long(self) -> ReplyTooLargeError:
        limit = self.settings.max_reply_chars
        return ReplyTooLargeError(
            f"The reply from provider '{self.name}' passed {limit:,} characters, the most "
            f"kept (max_reply_chars in [providers.{self.name}]); the text up to there is kept.",
            detail=f"from {self.display_url}; the server went on past the bound",
        )

    def malformed(self, detail: str) -> MalformedStreamError:
        """The error for a reply that does not follow the provider's protocol."""
        return MalformedStreamError(
            f"Provider '{self.name}' sent a reply that could not be read. Is base_url "
            f'({self.display_url}) a server of kind "{self.settings.kind}"?',
            detail=self.redact(detail),
        )

    def interrupted(self) -> StreamInterruptedError:
        """The error for a stream that ended without its protocol's finish marker."""
        return StreamInterruptedError(
            f"The reply from provider '{self.name}' ended before it was complete.",
            detail=f"the stream from {self.display_url} closed without its end marker",
        )
