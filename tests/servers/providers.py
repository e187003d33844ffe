"""Fake model providers speaking the real wire protocols, on 127.0.0.1, for tests.

`OpenAIServer`, `AnthropicServer` and `OllamaServer` answer chat requests with scripted
replies, streamed the way the real services stream them, and list their models. A reply is
a `Reply` (or simply a string or a list of token strings); a `Reply` can also misbehave:
fail with a status, stall, end early, drop the connection, send garbage or an error event.

    with OpenAIServer(replies=[["Hel", "lo"], Reply.error(500)]) as server:
        provider = OpenAIProvider("local", server.provider_settings())
        ...
        assert server.chat_bodies[0]["model"] == "test-model"

Scripted replies are used in order. After the script, `responder(body)` decides when one is
given, else the last scripted reply repeats (the default reply when nothing was scripted).
"""

from __future__ import annotations

import asyncio
import json
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from tests.servers.base import LocalServer, Request, Response
from vicechat_tui.core.settings import ProviderSettings

DEFAULT_MODELS = ("test-model", "other-model")


@dataclass(frozen=True)
class Reply:
    """One scripted answer to one chat request."""

    tokens: Sequence[str] = ("Hello", " there", "!")
    finish_reason: str | None = None
    """Defaults to the protocol's normal end: stop, end_turn."""
    status: int = 200
    """Anything but 200 answers with the protocol's error body instead of a stream."""
    error_message: str = "Something went wrong."
    error_type: str | None = None
    """The protocol's error type/code; a sensible one for the status when None."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. {"Retry-After": "1"}."""
    delay: float = 0.0
    """Seconds before the response starts (a slow server)."""
    delay_per_token: float | None = None
    """Seconds before each token; the server's default when None."""
    truncate: bool = False
    """End the stream cleanly after the tokens but without the finish marker."""
    disconnect_after: int | None = None
    """Drop the connection after this many tokens."""
    error_after: int | None = None
    """Send an in-stream error (error_type, error_message) after this many tokens."""
    garbage_after: int | None = None
    """Send invalid JSON (containing `garbage`) after this many tokens."""
    garbage: str = "unterminated"
    stall_after: int | None = None
    """Stop sending after this many tokens but keep the connection open (a hung server)."""
    split_chars: bool = False
    """Write every frame in two pieces, cut inside its first multi-byte character."""
    pings: bool = False
    """Send keep-alive frames between tokens."""
    usage: bool = True
    """Report token usage at the end (OpenAI-compatible servers that ignore stream_options
    report none)."""
    completion_tokens: int | None = None
    """The reply's token count to report; the number of tokens sent when None."""
    endless: bool = False
    """Send the tokens over and over, never finishing (a server ignoring max_tokens)."""
    gzip: bool = False
    """Compress the stream (Content-Encoding: gzip), flushed frame by frame."""
    body: bytes | None = None
    """Send these bytes as the whole 200 response instead of a stream (with `headers`,
    e.g. a gzip bomb from `tests.servers.hostile`)."""

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "Something went wrong.",
        *,
        error_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        return cls(
            status=status, error_message=message, error_type=error_type, headers=dict(headers or {})
        )

    @classmethod
    def text(cls, text: str, **options: Any) -> Reply:
        """`text` streamed word by word ("Hi there" → "Hi", " there")."""
        words = text.split(" ")
        tokens = [words[0], *(f" {word}" for word in words[1:])]
        return cls(tokens=tuple(token for token in tokens if token), **options)


@dataclass(frozen=True)
class Usage:
    """The token counts a server reports at the end of a reply."""

    prompt: int
    completion: int


ReplySpec = Reply | str | Sequence[str]
Responder = Callable[[dict[str, Any]], ReplySpec]


def as_reply(spec: ReplySpec) -> Reply:
    if isinstance(spec, Reply):
        return spec
    if isinstance(spec, str):
        return Reply.text(spec)
    return Reply(tokens=tuple(spec))


def estimate_tokens(body: Mapping[str, Any]) -> int:
    """A rough prompt size: the words of every message and the system prompt."""
    texts = [str(m.get("content", "")) for m in body.get("messages", [])]
    texts.append(str(body.get("system", "")))
    return sum(len(text.split()) for text in texts)


def dumps(payload: object) -> str:
    """JSON with raw UTF-8, as real servers send it (so multi-byte characters can split)."""
    return json.dumps(payload, ensure_ascii=False)


class FakeProviderServer:
    """The protocol-independent part: scripting, routing, streaming and faults."""

    chat_path = ""
    models_path = ""
    url_suffix = ""
    kind = ""
    content_type = "text/event-stream"
    default_finish_reason = "stop"
    streams_by_default = False
    """What the service does when a request does not say `stream`."""
    ERROR_TYPES: Mapping[int, str] = {}

    def __init__(
        self,
        replies: Sequence[ReplySpec] = (),
        *,
        delay_per_token: float = 0.0,
        models: Sequence[str] = DEFAULT_MODELS,
        api_key: str | None = None,
        context_limit: int | None = None,
        responder: Responder | None = None,
    ) -> None:
        self._script = [as_reply(spec) for spec in replies]
        self._last = self._script[-1] if self._script else Reply()
        self._lock = threading.Lock()
        self.delay_per_token = delay_per_token
        self.models = list(models)
        self.api_key = api_key
        self.context_limit = context_limit
        self.responder = responder
        self.completed_streams = 0
        # Streams the client went away from while the server was still writing.
        self.dropped_streams = 0
        self._server = LocalServer(self._handle)

    def __enter__(self) -> Self:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    @property
    def url(self) -> str:
        """The base_url a provider of this kind is configured with."""
        return self._server.url + self.url_suffix

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    @property
    def chat_bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat requests received, in order."""
        return [r.json() for r in self.requests if r.path == self.chat_path]

    def add_replies(self, *specs: ReplySpec) -> None:
        """Append to the script (thread-safe)."""
        with self._lock:
            self._script.extend(as_reply(spec) for spec in specs)
            if self._script:
                self._last = self._script[-1]

    def provider_settings(self, **overrides: Any) -> ProviderSettings:
        """Settings pointing at this server, with fast retries for tests."""
        values: dict[str, Any] = {
            "kind": self.kind,
            "base_url": self.url,
            "default_model": self.models[0] if self.models else "test-model",
            "retry_backoff": 0.01,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        values.update(overrides)
        return ProviderSettings(**values)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        if self.responder is not None:
            return as_reply(self.responder(body))
        return self._last

    def stream_bytes(self, tokens: Sequence[str], model: str = "test-model") -> bytes:
        """A whole normal stream of `tokens` as bytes, made ahead (for `Reply(body=...)`),
        so that a test measuring the client's memory does not count the server's."""
        body: dict[str, Any] = {"model": model, "stream_options": {"include_usage": True}}
        frames = [
            *self.opening_frames(body),
            *(self.token_frame(body, token) for token in tokens),
            *self.closing_frames(body, self.default_finish_reason, Usage(1, len(tokens))),
        ]
        return "".join(frames).encode()

    # -- serving -------------------------------------------------------------------------

    async def _handle(self, request: Request, response: Response) -> None:
        if request.method == "GET" and request.path == self.models_path:
            await self._send_models(request, response)
        elif request.method == "POST" and request.path == self.chat_path:
            await self._chat(request, response)
        else:
            await self._send_error(response, 404, f"No route for {request.path}")

    async def _send_models(self, request: Request, response: Response) -> None:
        if not self.authorized(request):
            await self._send_error(response, 401, "Invalid API key.")
        else:
            await response.send_json(200, self.models_payload())

    async def _chat(self, request: Request, response: Response) -> None:
        body = request.json()
        refusal = self.refusal(request, body)
        if refusal is not None:
            await self._send_error(response, *refusal)
            return
        reply = self._next_reply(body)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            await self._send_error(
                response, reply.status, reply.error_message, reply.error_type, reply.headers
            )
            return
        if not body.get("stream", self.streams_by_default):
            text = "".join(reply.tokens)
            await response.send_json(200, self.whole_reply(body, text, reply), dict(reply.headers))
            return
        try:
            await self._stream(response, body, reply)
        except ConnectionError:
            self.dropped_streams += 1
            raise

    async def _stream(self, response: Response, body: dict[str, Any], reply: Reply) -> None:
        if reply.body is not None:
            await response.start(200, {"Content-Type": self.content_type, **reply.headers})
            for start in range(0, len(reply.body), 1 << 16):
                await response.write(reply.body[start : start + (1 << 16)])
            return
        packer = zlib.compressobj(6, zlib.DEFLATED, 31) if reply.gzip else None

        async def send(frame: str) -> None:
            raw = frame.encode()
            if packer is not None:
                raw = packer.compress(raw) + packer.flush(zlib.Z_SYNC_FLUSH)
            if not reply.split_chars:
                await response.write(raw)
                return
            cut = next((i + 1 for i, byte in enumerate(raw) if byte >= 0xC0), len(raw) // 2)
            await response.write(raw[:cut])
            await asyncio.sleep(0.01)
            await response.write(raw[cut:])

        headers = {"Content-Type": self.content_type, **reply.headers}
        if packer is not None:
            headers["Content-Encoding"] = "gzip"
        await response.start(200, headers)
        for frame in self.opening_frames(body):
            await send(frame)
        delay = self.delay_per_token if reply.delay_per_token is None else reply.delay_per_token
        tokens = list(reply.tokens)
        while reply.endless:  # until the client hangs up
            if response.closed:
                raise ConnectionResetError("the client went away")
            for token in tokens:
                await send(self.token_frame(body, token))
        for index in range(len(tokens) + 1):
            if index == reply.disconnect_after:
                await asyncio.sleep(0.02)  # let the tokens reach the client first
                response.abort()
                return
            if index == reply.error_after:
                await send(self.error_frame(reply.error_message, self._error_type(500, reply)))
                return
            if index == reply.garbage_after:
                await send(self.garbage_frame(reply.garbage))
                return
            if index == reply.stall_after:
                await asyncio.sleep(3600)
            if index == len(tokens):
                break
            if reply.pings:
                await send(self.ping_frame())
            if delay:
                await asyncio.sleep(delay)
            await send(self.token_frame(body, tokens[index]))
        if reply.truncate:
            return
        finish = reply.finish_reason or self.default_finish_reason
        completion = len(tokens) if reply.completion_tokens is None else reply.completion_tokens
        usage = Usage(estimate_tokens(body), completion) if reply.usage else None
        for frame in self.closing_frames(body, finish, usage):
            await send(frame)
        if packer is not None:
            await response.write(packer.flush())
        self.completed_streams += 1

    def _error_type(self, status: int, reply: Reply | None = None) -> str:
        if reply is not None and reply.error_type:
            return reply.error_type
        return self.ERROR_TYPES.get(status, self.ERROR_TYPES.get(500, "error"))

    async def _send_error(
        self,
        response: Response,
        status: int,
        message: str,
        error_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        payload = self.error_body(message, error_type or self._error_type(status))
        await response.send_json(status, payload, dict(headers or {}))

    def refusal(self, request: Request, body: dict[str, Any]) -> tuple[int, str] | None:
        """What the real service refuses before answering: bad key, unknown model, size."""
        if not self.authorized(request):
            return 401, "Invalid API key."
        if body.get("model") not in self.models:
            return 404, f"The model '{body.get('model')}' does not exist."
        if self.context_limit is not None and estimate_tokens(body) > self.context_limit:
            return 400, (
                f"This model's maximum context length is {self.context_limit} tokens; "
                f"your messages resulted in {estimate_tokens(body)} tokens."
            )
        return None

    # -- what each protocol defines ------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def models_payload(self) -> object:
        raise NotImplementedError

    def error_body(self, message: str, error_type: str) -> object:
        raise NotImplementedError

    def whole_reply(self, body: dict[str, Any], text: str, reply: Reply) -> object:
        raise NotImplementedError

    def opening_frames(self, body: dict[str, Any]) -> list[str]:
        return []

    def token_frame(self, body: dict[str, Any], text: str) -> str:
        raise NotImplementedError

    def closing_frames(self, body: dict[str, Any], finish: str, usage: Usage | None) -> list[str]:
        raise NotImplementedError

    def error_frame(self, message: str, error_type: str) -> str:
        raise NotImplementedError

    def ping_frame(self) -> str:
        return ": ping\n\n"

    def garbage_frame(self, text: str) -> str:
        return f'data: {{"choices": [{{"delta": {{"content": "{text}\n\n'


def _sse(payload: object, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {dumps(payload)}\n\n"


class OpenAIServer(FakeProviderServer):
    """OpenAI Chat Completions: `POST /v1/chat/completions`, `GET /v1/models`."""

    chat_path = "/v1/chat/completions"
    models_path = "/v1/models"
    url_suffix = "/v1"
    kind = "openai"
    ERROR_TYPES = {
        400: "invalid_request_error",
        401: "invalid_api_key",
        404: "model_not_found",
        429: "rate_limit_exceeded",
        500: "server_error",
    }

    def authorized(self, request: Request) -> bool:
        return self.api_key is None or (
            request.headers.get("authorization") == f"Bearer {self.api_key}"
        )

    def models_payload(self) -> object:
        return {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}

    def error_body(self, message: str, error_type: str) -> object:
        kind = "server_error" if error_type == "server_error" else "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": None, "code": error_type}}

    def _chunk(self, body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _sse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model"),
                "choices": [choice],
            }
        )

    def whole_reply(self, body: dict[str, Any], text: str, reply: Reply) -> object:
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reply.finish_reason or "stop",
                }
            ],
            "usage": {
                "prompt_tokens": estimate_tokens(body),
                "completion_tokens": len(reply.tokens),
            },
        }

    def opening_frames(self, body: dict[str, Any]) -> list[str]:
        return [self._chunk(body, {"role": "assistant", "content": ""}, None)]

    def token_frame(self, body: dict[str, Any], text: str) -> str:
        return self._chunk(body, {"content": text}, None)

    def closing_frames(self, body: dict[str, Any], finish: str, usage: Usage | None) -> list[str]:
        frames = [self._chunk(body, {}, finish)]
        if usage is not None and (body.get("stream_options") or {}).get("include_usage"):
            counts = {
                "prompt_tokens": usage.prompt,
                "completion_tokens": usage.completion,
                "total_tokens": usage.prompt + usage.completion,
            }
            frames.append(
                _sse(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion.chunk",
                        "choices": [],
                        "usage": counts,
                    }
                )
            )
        return [*frames, "data: [DONE]\n\n"]

    def error_frame(self, message: str, error_type: str) -> str:
        return _sse(self.error_body(message, error_type))


class AnthropicServer(FakeProviderServer):
    """Anthropic Messages: `POST /v1/messages`, `GET /v1/models`; base url is the root."""

    chat_path = "/v1/messages"
    models_path = "/v1/models"
    kind = "anthropic"
    default_finish_reason = "end_turn"
    ERROR_TYPES = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        413: "request_too_large",
        429: "rate_limit_error",
        500: "api_error",
        529: "overloaded_error",
    }

    def authorized(self, request: Request) -> bool:
        return self.api_key is None or request.headers.get("x-api-key") == self.api_key

    def refusal(self, request: Request, body: dict[str, Any]) -> tuple[int, str] | None:
        if request.headers.get("anthropic-version") != "2023-06-01":
            return 400, "anthropic-version: header is required"
        if not isinstance(body.get("max_tokens"), int):
            return 400, "max_tokens: Field required"
        if any(m.get("role") == "system" for m in body.get("messages", [])):
            return 400, 'messages: Unexpected role "system". Use the top-level system field.'
        return super().refusal(request, body)

    def models_payload(self) -> object:
        data = [{"type": "model", "id": m, "display_name": m} for m in self.models]
        return {"data": data, "has_more": False}

    def error_body(self, message: str, error_type: str) -> object:
        return {"type": "error", "error": {"type": error_type, "message": message}}

    def whole_reply(self, body: dict[str, Any], text: str, reply: Reply) -> object:
        return {
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": [{"type": "text", "text": text}],
            "stop_reason": reply.finish_reason or "end_turn",
        }

    def opening_frames(self, body: dict[str, Any]) -> list[str]:
        message: dict[str, Any] = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": body.get("model"),
            "stop_reason": None,
            "usage": {"input_tokens": estimate_tokens(body), "output_tokens": 1},
        }
        block = {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        return [
            _sse({"type": "message_start", "message": message}, "message_start"),
            _sse(block, "content_block_start"),
            self.ping_frame(),
        ]

    def token_frame(self, body: dict[str, Any], text: str) -> str:
        delta = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": text},
        }
        return _sse(delta, "content_block_delta")

    def closing_frames(self, body: dict[str, Any], finish: str, usage: Usage | None) -> list[str]:
        delta: dict[str, Any] = {
            "type": "message_delta",
            "delta": {"stop_reason": finish, "stop_sequence": None},
        }
        if usage is not None:
            delta["usage"] = {"output_tokens": usage.completion}
        return [
            _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            _sse(delta, "message_delta"),
            _sse({"type": "message_stop"}, "message_stop"),
        ]

    def error_frame(self, message: str, error_type: str) -> str:
        return _sse(self.error_body(message, error_type), "error")

    def ping_frame(self) -> str:
        return _sse({"type": "ping"}, "ping")

    def garbage_frame(self, text: str) -> str:
        return f'event: content_block_delta\ndata: {{"type": "content_block_delta", "{text}\n\n'


class OllamaServer(FakeProviderServer):
    """Ollama native: `POST /api/chat` (NDJSON), `GET /api/tags`; base url is the root."""

    chat_path = "/api/chat"
    models_path = "/api/tags"
    kind = "ollama"
    content_type = "application/x-ndjson"
    streams_by_default = True

    def authorized(self, request: Request) -> bool:
        return self.api_key is None or (
            request.headers.get("authorization") == f"Bearer {self.api_key}"
        )

    def refusal(self, request: Request, body: dict[str, Any]) -> tuple[int, str] | None:
        refusal = super().refusal(request, body)
        if refusal is not None and refusal[0] == 404:
            return 404, f'model "{body.get("model")}" not found, try pulling it first'
        return refusal

    def models_payload(self) -> object:
        return {"models": [{"name": m, "model": m, "size": 1} for m in self.models]}

    def error_body(self, message: str, error_type: str) -> object:
        return {"error": message}

    def _line(self, body: dict[str, Any], text: str, **extra: Any) -> str:
        return (
            dumps(
                {
                    "model": body.get("model"),
                    "created_at": "2024-01-01T00:00:00Z",
                    "message": {"role": "assistant", "content": text},
                    **extra,
                }
            )
            + "\n"
        )

    def whole_reply(self, body: dict[str, Any], text: str, reply: Reply) -> object:
        return json.loads(self._line(body, text, done=True, done_reason="stop"))

    def token_frame(self, body: dict[str, Any], text: str) -> str:
        return self._line(body, text, done=False)

    def closing_frames(self, body: dict[str, Any], finish: str, usage: Usage | None) -> list[str]:
        counts = (
            {"prompt_eval_count": usage.prompt, "eval_count": usage.completion} if usage else {}
        )
        return [self._line(body, "", done=True, done_reason=finish, total_duration=1, **counts)]

    def error_frame(self, message: str, error_type: str) -> str:
        return dumps({"error": message}) + "\n"

    def ping_frame(self) -> str:
        return "\n"  # a blank line, which readers must skip

    def garbage_frame(self, text: str) -> str:
        return f'{{"model": "test-model", "message": {{"content": "{text}\n'


SERVERS_BY_KIND: dict[str, type[FakeProviderServer]] = {
    "openai": OpenAIServer,
    "anthropic": AnthropicServer,
    "ollama": OllamaServer,
}
"""The server class speaking each provider kind's protocol."""

__all__ = [
    "SERVERS_BY_KIND",
    "AnthropicServer",
    "FakeProviderServer",
    "OllamaServer",
    "OpenAIServer",
    "Reply",
    "ReplySpec",
    "as_reply",
]
