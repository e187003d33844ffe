"""Which search results a research cycle reads, and reading them: concurrently, each page a
step, a page that cannot be read recorded (and never cited) without ending the research."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.research.fetch import FetchedPage, PageFetcher
from vicechat_tui.core.research.reporting import ResearchReporter, short_label
from vicechat_tui.core.research.search import SearchResult
from vicechat_tui.core.research.urls import normalise_url

MIN_PAGES_PER_CYCLE = 3


@dataclass(frozen=True, slots=True)
class FailedPage:
    url: str
    reason: str


def pick_pages(
    results: list[list[SearchResult]], *, remaining: int, cycles_left: int, seen_urls: set[str]
) -> list[SearchResult]:
    """The best new pages: by rank, alternating between queries, within this cycle's share
    of the `remaining` sources (at least `MIN_PAGES_PER_CYCLE`); adds them to `seen_urls`."""
    budget = min(remaining, max(math.ceil(remaining / cycles_left), MIN_PAGES_PER_CYCLE))
    picked: list[SearchResult] = []
    for rank in range(max((len(found) for found in results), default=0)):
        for found in results:
            if rank >= len(found) or len(picked) >= budget:
                continue
            key = normalise_url(found[rank].url)
            if key not in seen_urls:
                seen_urls.add(key)
                picked.append(found[rank])
    return picked


class PageReader:
    """Reads the pages research picked, each as a step; keeps the ones that failed."""

    def __init__(self, fetcher: PageFetcher, reporter: ResearchReporter) -> None:
        self.fetcher = fetcher
        self.reporter = reporter
        self.failed: list[FailedPage] = []

    async def read_all(self, picked: list[SearchResult], parent: str) -> list[FetchedPage | None]:
        """Read the pages concurrently (the fetcher bounds concurrency); None when failed."""
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._read(result, parent)) for result in picked]
        return [task.result() for task in tasks]

    async def _read(self, result: SearchResult, parent: str) -> FetchedPage | None:
        payload = {"url": result.url, "title": result.title}
        step_id = self.reporter.step_started(
            f"reading {short_label(result.url, 80)}", parent=parent, payload=payload
        )
        try:
            page = await self.fetcher.fetch(result.url)
        except Exception as error:  # one bad page must not end the research
            reason = (
                error.message
                if isinstance(error, VicechatError)
                else f"The page could not be read ({type(error).__name__})."
            )
            self.failed.append(FailedPage(result.url, reason))
            self.reporter.step_finished(
                step_id, status="failed", payload={**payload, "reason": reason}
            )
            return None
        self.reporter.step_finished(
            step_id,
            payload={**payload, "final_url": page.final_url, "chars": len(page.text)},
        )
        return page
