"""Embeddings: texts turned into vectors by a provider's `embedding_model`.

Two protocols: OpenAI-compatible `POST {base_url}/embeddings` (`{"data": [{"index",
"embedding"}]}`) and Ollama's `POST {base_url}/api/embed` (`{"embeddings": [[…]]}`).
Anthropic has no embeddings API (the settings refuse `embedding_model` there). Requests go
through the providers' HTTP layer (`ProviderHttp`): the same typed errors, retries, API-key
redaction and bounded answers (`max_line_bytes`) as the chat clients. An answer with the
wrong number of vectors, vectors of different or absurd sizes, or values that are not finite
numbers is refused as malformed rather than stored.
"""

from __future__ import annotations

import asyncio
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from vicechat_tui.core.errors import ProviderNotConfiguredError
from vicechat_tui.core.providers.http import ProviderHttp, Sleep
from vicechat_tui.core.settings import ProviderSettings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MAX_DIMENSIONS = 16_384
"""Largest vector accepted (today's models use 256 to 4,096)."""


class EmbeddingsClient(ABC):
    """Vectors from one configured provider's `embedding_model`."""

    path: ClassVar[str]
    """Where the protocol's embeddings endpoint is, under base_url."""

    def __init__(
        self, name: str, settings: ProviderSettings, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        if not settings.embedding_model:
            raise ProviderNotConfiguredError(
                f"Provider '{name}' has no embedding_model in [providers.{name}]."
            )
        self.name = name
        self.model: str = settings.embedding_model
        self.batch = settings.embedding_batch
        self.http = ProviderHttp(name, settings, sleep=sleep)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r})"

    async def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One float32 row per text, in order (one request: callers batch by `batch`)."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        answer = await self.http.request_json(
            "POST",
            self.path,
            headers=self.http.bearer_headers(),
            json_body={"model": self.model, "input": list(texts)},
            model=self.model,
        )
        rows = self.vectors_in(answer)
        if rows is None:
            raise self.http.malformed(f"not an embeddings answer: {str(answer)[:300]}")
        return self._checked(rows, len(texts))

    def _checked(self, rows: list[Any], wanted: int) -> npt.NDArray[np.float32]:
        import numpy as np

        if len(rows) != wanted:
            raise self.http.malformed(f"{len(rows)} vectors for {wanted} texts")
        size = len(rows[0]) if isinstance(rows[0], list) else 0
        if not 1 <= size <= MAX_DIMENSIONS:
            raise self.http.malformed(f"a vector of {size} numbers (1 to {MAX_DIMENSIONS})")
        for row in rows:
            if not isinstance(row, list) or len(row) != size:
                raise self.http.malformed(f"vectors of different sizes (the first has {size})")
            if not all(_finite_number(value) for value in row):
                raise self.http.malformed("a vector holding something other than numbers")
        return np.asarray(rows, dtype=np.float32)

    @staticmethod
    @abstractmethod
    def vectors_in(answer: object) -> list[Any] | None:
        """The answer's vectors in input order; None when it is not this protocol's answer."""


class OpenAIEmbeddings(EmbeddingsClient):
    """`POST {base_url}/embeddings`, the OpenAI-compatible protocol."""

    path = "/embeddings"

    @staticmethod
    def vectors_in(answer: object) -> list[Any] | None:
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            return None
        ordered = sorted(
            data, key=lambda item: item["index"] if isinstance(item.get("index"), int) else 0
        )
        return [item.get("embedding") for item in ordered]


class OllamaEmbeddings(EmbeddingsClient):
    """`POST {base_url}/api/embed`, Ollama's protocol."""

    path = "/api/embed"

    @staticmethod
    def vectors_in(answer: object) -> list[Any] | None:
        vectors = answer.get("embeddings") if isinstance(answer, dict) else None
        return vectors if isinstance(vectors, list) else None


def _finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def create_embeddings(name: str, settings: ProviderSettings) -> EmbeddingsClient:
    """The embeddings client of a provider that has an `embedding_model`."""
    if settings.kind == "openai":
        return OpenAIEmbeddings(name, settings)
    if settings.kind == "ollama":
        return OllamaEmbeddings(name, settings)
    raise ProviderNotConfiguredError(
        f"Provider '{name}' is of kind {settings.kind!r}, which has no embeddings API; set "
        "embedding_model on an openai or ollama provider."
    )
