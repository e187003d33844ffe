"""A fake embeddings server on 127.0.0.1 speaking OpenAI's `/v1/embeddings` and Ollama's
`/api/embed`, with deterministic vectors and scripted faults.

A text's vector is a hashed bag of its words (each word adds ±1 at a position drawn from
its SHA-256), after mapping a few synonyms to one word (`SYNONYMS`), which is what a real
embedding model knows and a keyword index does not: "automobile" lands where "car" does.

    with EmbeddingsServer("openai", faults=[Fault(status=500)]) as server:
        settings = server.provider_settings()
        ...
        assert server.embedded_texts == [...]

Faults are used in order, one per request; after them every request is answered well.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Self

from tests.servers.base import LocalServer, Request, Response
from vicechat_tui.core.settings import ProviderSettings

MODEL = "test-embed"
SYNONYMS = {
    "automobile": "car",
    "automobiles": "car",
    "cars": "car",
    "vehicle": "car",
    "vehicles": "car",
    "physician": "doctor",
    "doctors": "doctor",
    "feline": "cat",
    "cats": "cat",
    "kitten": "cat",
}
_WORD = re.compile(r"\w+")


def vector_of(text: str, dimensions: int) -> list[float]:
    """The deterministic vector of `text` (a hashed bag of its words)."""
    numbers = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(SYNONYMS.get(word, word).encode()).digest()
        place = int.from_bytes(digest[:4], "big") % dimensions
        numbers[place] += 1.0 if digest[4] & 1 else -1.0
    return numbers


@dataclass(frozen=True)
class Fault:
    """One misbehaving answer."""

    status: int = 200
    """Anything but 200 answers with the protocol's error body."""
    delay: float = 0.0
    """Seconds before answering (a slow server)."""
    dimensions: int | None = None
    """Vectors of this size for every text but the first (inconsistent sizes)."""
    missing: int = 0
    """Leave this many vectors out of the answer."""
    huge_bytes: int = 0
    """Send a valid-looking answer this many bytes long (a huge body)."""
    body: bytes | None = None
    """Send these bytes as the whole answer."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers sent with `body`, e.g. (("Content-Encoding", "gzip"),) for a bomb."""


class EmbeddingsServer:
    """Serves embeddings in `kind`'s protocol; records the texts it embedded."""

    def __init__(
        self,
        kind: Literal["openai", "ollama"] = "openai",
        *,
        dimensions: int = 64,
        faults: Sequence[Fault] = (),
        api_key: str | None = None,
    ) -> None:
        self.kind = kind
        self.dimensions = dimensions
        self.api_key = api_key
        self._faults = list(faults)
        self._lock = threading.Lock()
        self.embedded_texts: list[str] = []
        self.models_asked: list[str] = []
        self._server = LocalServer(self._handle)

    def __enter__(self) -> Self:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    @property
    def path(self) -> str:
        return "/v1/embeddings" if self.kind == "openai" else "/api/embed"

    @property
    def url(self) -> str:
        return self._server.url + ("/v1" if self.kind == "openai" else "")

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    def add_faults(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def provider_settings(self, **overrides: Any) -> ProviderSettings:
        """Settings of a provider whose embedding_model this server serves (fast retries)."""
        values: dict[str, Any] = {
            "kind": self.kind,
            "base_url": self.url,
            "default_model": "test-model",
            "embedding_model": MODEL,
            "retry_backoff": 0.01,
            "max_retries": 1,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        values.update(overrides)
        return ProviderSettings(**values)

    def _next_fault(self) -> Fault:
        with self._lock:
            return self._faults.pop(0) if self._faults else Fault()

    async def _handle(self, request: Request, response: Response) -> None:
        if request.method != "POST" or request.path != self.path:
            await response.send_json(404, {"error": f"No route for {request.path}"})
            return
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            await response.send_json(401, {"error": {"message": "Invalid API key."}})
            return
        body = request.json()
        texts = body.get("input") if isinstance(body, dict) else None
        if not isinstance(texts, list) or not isinstance(body.get("model"), str):
            await response.send_json(400, {"error": {"message": "input and model, please"}})
            return
        self.models_asked.append(body["model"])
        fault = self._next_fault()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status != 200:
            await response.send_json(fault.status, {"error": {"message": "embedding failed"}})
            return
        if fault.body is not None:
            await response.send(200, fault.body, headers=dict(fault.headers))
            return
        if fault.huge_bytes:
            padding = " " * fault.huge_bytes
            await response.send(200, '{"data": [' + padding + "]}")
            return
        with self._lock:
            self.embedded_texts.extend(str(text) for text in texts)
        vectors = [
            vector_of(str(text), fault.dimensions if fault.dimensions and n else self.dimensions)
            for n, text in enumerate(texts)
        ][: len(texts) - fault.missing]
        if self.kind == "openai":
            payload: object = {
                "object": "list",
                "model": MODEL,
                "data": [
                    {"object": "embedding", "index": n, "embedding": vector}
                    for n, vector in enumerate(vectors)
                ],
            }
        else:
            payload = {"model": MODEL, "embeddings": vectors}
        await response.send(200, json.dumps(payload))
