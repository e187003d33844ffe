"""The job engine's overhead per token.

A local OpenAI-compatible SSE server sends N tokens as fast as it can. We time reading the
stream with the provider alone (the baseline) and through the whole job engine (send,
subscribe, persistence every flush interval), in the same run, and print the difference per
token as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers.providers import OpenAIServer, Reply
from vicechat_tui.core.events import TokenDelta
from vicechat_tui.core.providers.base import CompletionRequest, PromptMessage
from vicechat_tui.core.providers.registry import create_provider
from vicechat_tui.core.runtime import open_core
from vicechat_tui.core.settings import Settings

TOKENS = 20_000
ROUNDS = 3


async def direct(server: OpenAIServer) -> float:
    provider = create_provider("local", server.provider_settings())
    request = CompletionRequest("test-model", [PromptMessage("user", "go")])
    started = time.perf_counter()
    count = 0
    async for _item in provider.stream(request):
        count += 1
    elapsed = time.perf_counter() - started
    await provider.aclose()
    return elapsed


async def through_engine(server: OpenAIServer, folder: Path) -> float:
    settings = Settings(
        user="bench", providers={"local": server.provider_settings()}, default_provider="local"
    )
    core = await open_core(settings, database_url=f"sqlite:///{folder / 'engine.db'}")
    document = await core.documents.create("Bench")
    section = await core.sections.create(document.id, "S")
    assert document.id is not None and section.id is not None
    started = time.perf_counter()
    job_id = await core.jobs.send(document.id, section.id, "go")
    tokens = 0
    async for event in core.jobs.subscribe(job_id):
        if isinstance(event, TokenDelta):
            tokens += 1
    elapsed = time.perf_counter() - started
    assert tokens == TOKENS, tokens
    await core.aclose()
    return elapsed


async def main() -> None:
    reply = Reply(tokens=[f"t{i} " for i in range(TOKENS)])
    results: dict[str, list[float]] = {"direct": [], "engine": []}
    with tempfile.TemporaryDirectory() as folder, OpenAIServer(replies=[reply]) as server:
        for _ in range(ROUNDS):
            results["direct"].append(await direct(server))
            results["engine"].append(await through_engine(server, Path(folder)))
    best_direct, best_engine = min(results["direct"]), min(results["engine"])
    print(
        json.dumps(
            {
                "figure": "job engine overhead per token",
                "tokens": TOKENS,
                "direct_seconds": round(best_direct, 3),
                "engine_seconds": round(best_engine, 3),
                "overhead_us_per_token": round((best_engine - best_direct) / TOKENS * 1e6, 1),
                "engine_tokens_per_second": round(TOKENS / best_engine),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
