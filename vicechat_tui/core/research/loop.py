"""The multi-cycle research loop: plan queries, search, read pages, take notes, decide.

Policies, decided here once:
- Sources are numbered 1..N in the order the pages were read (within a cycle, in the
  order they were picked: best rank first, alternating between queries). `sources_found`
  always reports the whole list so far.
- At most `max_sources` pages become sources; each cycle reads its share of what is left
  (at least three when that many are left), so stopping early still reads a fair amount.
- A page that cannot be read is recorded (step payload and `failed_pages`) and never cited
  (`reading` picks and reads the pages).
- Search faults: a query that fails is skipped. When every query of a cycle fails the loop
  stops; if no search succeeded at all, the `SearchFailedError` propagates.
- Searches that worked but no readable page: an outcome with no sources and a note saying
  the web gave nothing, so the caller still answers (and says so).
- No usable queries from the model: the question itself is the query.
- Model faults (`ProviderError`) propagate: the final answer needs the same model.
- Every model call of the loop has a token cap and a time budget, per kind of call
  (`ResearchSettings.budget`: queries, notes, decision; asked in `model_calls`). A call out
  of time ends its step as failed, says so in a progress event, and the loop goes on with
  what it has: the question as the query, the pages' excerpts (or the notes written so
  far) as notes, and no further round.
- Cancellation propagates at once; pending page reads are cancelled with it. Nothing more
  is reported after it: steps still running are the caller's to mark cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vicechat_tui.core.errors import SearchFailedError
from vicechat_tui.core.events import Source
from vicechat_tui.core.providers.base import ChatProvider
from vicechat_tui.core.research import prompts
from vicechat_tui.core.research.fetch import FetchedPage, PageFetcher
from vicechat_tui.core.research.model_calls import ResearchModel
from vicechat_tui.core.research.reading import FailedPage, PageReader, pick_pages
from vicechat_tui.core.research.reporting import (
    CycleReporter,
    OpenStep,
    ResearchReporter,
    pages_wording,
    short_label,
)
from vicechat_tui.core.research.search import SearchProvider, SearchResult
from vicechat_tui.core.research.urls import normalise_url
from vicechat_tui.core.settings import ResearchCall, ResearchSettings

EXCERPT_CHARS = 600


@dataclass
class ResearchOutcome:
    """What the answer is built from: numbered sources and the notes citing them."""

    sources: list[Source]
    notes: str
    failed_pages: list[FailedPage] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    cycles_run: int = 0


class _Research:
    """State of one research run; `run_research` is its public face."""

    def __init__(
        self,
        question: str,
        *,
        model: ChatProvider,
        model_name: str,
        search: SearchProvider,
        fetcher: PageFetcher,
        cycles: int,
        max_sources: int,
        reporter: ResearchReporter,
        temperature: float | None,
        results_per_query: int,
        limits: ResearchSettings,
    ) -> None:
        self.question = question
        self.model = ResearchModel(model, model_name, temperature, limits)
        self.search = search
        self.cycles, self.max_sources = max(1, cycles), max(1, max_sources)
        self.cycle = 0
        self.results_per_query = results_per_query
        self.sources: list[Source] = []
        self.notes = ""
        self.queries: list[str] = []
        self.seen_urls: set[str] = set()
        self.searches_ok = 0
        self.search_error: SearchFailedError | None = None
        self.report = CycleReporter(reporter, self.cycles)
        self.reader = PageReader(fetcher, reporter)

    def _out_of_time(
        self, step: OpenStep, kind: ResearchCall, what: str, then: str, within_cycle: float
    ) -> None:
        """End `step` as failed because its `kind` model call ran out of time, and say so."""
        self.report.progress(within_cycle, self.model.out_of_time(step, kind, what, then))

    # -- the loop -------------------------------------------------------------------------

    async def run(self) -> ResearchOutcome:
        for cycle in range(1, self.cycles + 1):
            self.report.cycle = self.cycle = cycle
            if not await self._run_cycle():
                break
        if not self.searches_ok and self.search_error is not None:
            raise self.search_error
        if not self.sources:
            self.notes = self._nothing_found_note()
        return ResearchOutcome(
            self.sources, self.notes, self.reader.failed, self.queries, cycles_run=self.cycle
        )

    async def _run_cycle(self) -> bool:
        """One cycle; False when the loop should stop after it."""
        with self.report.step(f"cycle {self.cycle}/{self.cycles}", parent=None) as step:
            queries = await self._plan(step.step_id)
            step.payload["queries"] = queries
            if not queries:
                step.payload["stopped"] = "no new queries"
                return False
            results, failures = await self._search_all(queries, step.step_id)
            if failures == len(queries):
                step.status = "failed"
                step.payload["stopped"] = "every search failed"
                return False
            picked = pick_pages(
                results,
                remaining=self.max_sources - len(self.sources),
                cycles_left=self.cycles - self.cycle + 1,
                seen_urls=self.seen_urls,
            )
            if picked:
                self.report.progress(0.45, f"reading {pages_wording(len(picked))}")
                pages = await self.reader.read_all(picked, step.step_id)
                new_sources = self._add_sources(picked, pages)
                step.payload["new_sources"] = len(new_sources)
                if new_sources:
                    await self._take_notes(new_sources, step.step_id)
            if len(self.sources) >= self.max_sources:
                step.payload["stopped"] = "enough sources"
                return False
            if self.cycle < self.cycles and not await self._wants_more(step.step_id):
                step.payload["stopped"] = "model saw no need for more"
                return False
        return True

    async def _plan(self, parent: str) -> list[str]:
        """New queries for this cycle; the question itself when the model gives none."""
        self.report.progress(0.0, "planning searches")
        with self.report.step("choosing search queries", parent=parent) as step:
            messages = prompts.build_query_messages(
                self.question,
                self.notes,
                cycle=self.cycle,
                cycles=self.cycles,
                previous_queries=self.queries,
            )
            reply = await self.model.ask(messages, "queries")
            if reply.timed_out:
                self._out_of_time(
                    step,
                    "queries",
                    "choose search queries",
                    "searching for the question itself",
                    0.05,
                )
            ran = {query.casefold() for query in self.queries}
            queries = [] if reply.timed_out else prompts.parse_queries(reply.text)
            queries = [q for q in queries if q.casefold() not in ran]
            if not queries:
                fallback = " ".join(self.question.split())[: prompts.MAX_QUERY_CHARS]
                queries = [fallback] if fallback and fallback.casefold() not in ran else []
                step.payload["fallback"] = True
            step.payload["queries"] = queries
        self.queries.extend(queries)
        return queries

    async def _search_all(
        self, queries: list[str], parent: str
    ) -> tuple[list[list[SearchResult]], int]:
        """Results per query, in order, and how many queries failed."""
        results: list[list[SearchResult]] = []
        failures = 0
        for index, query in enumerate(queries):
            label = f"searching '{short_label(query)}'"
            self.report.progress(0.1 + 0.3 * index / len(queries), label)
            with self.report.step(label, parent=parent, payload={"query": query}) as step:
                try:
                    found = await self.search.search(query, limit=self.results_per_query)
                except SearchFailedError as error:
                    failures += 1
                    self.search_error = error
                    step.status = "failed"
                    step.payload["error"] = error.message
                    continue
                self.searches_ok += 1
                step.payload["results"] = len(found)
                results.append(found)
        return results, failures

    def _add_sources(
        self, picked: list[SearchResult], pages: list[FetchedPage | None]
    ) -> list[tuple[Source, FetchedPage]]:
        """Number the pages read, skipping ones that redirected to a page already cited."""
        added: list[tuple[Source, FetchedPage]] = []
        cited = {normalise_url(source.url) for source in self.sources}
        for result, page in zip(picked, pages, strict=True):
            if page is None or normalise_url(page.final_url) in cited:
                continue
            cited.add(normalise_url(page.final_url))
            self.seen_urls.add(normalise_url(page.final_url))
            snippet = result.snippet or prompts.excerpt(page.text, 200)
            title = short_label(page.title or result.title or page.final_url, 200)
            source = Source(len(self.sources) + 1, page.final_url, title, snippet)
            self.sources.append(source)
            added.append((source, page))
        if added:
            self.report.reporter.sources_found(list(self.sources))
        return added

    async def _take_notes(self, new: list[tuple[Source, FetchedPage]], parent: str) -> None:
        self.report.progress(0.75, "taking notes")
        pages = [
            prompts.PageForNotes(source.number, source.url, source.title, page.text)
            for source, page in new
        ]
        with self.report.step("taking notes", parent=parent, payload={"pages": len(pages)}) as step:
            messages = prompts.build_notes_messages(self.question, pages)
            asked = await self.model.ask(messages, "notes")
            if asked.timed_out:
                kept = (
                    "keeping the notes written so far"
                    if asked.text.strip()
                    else ("keeping excerpts of the pages instead")
                )
                self._out_of_time(step, "notes", "take notes", kept, 0.8)
            reply = prompts.strip_reasoning(asked.text)
            if not reply:  # keep something citable rather than nothing
                reply = "\n".join(
                    f"- {prompts.excerpt(page.text, EXCERPT_CHARS)} [{page.number}]"
                    for page in pages
                )
                step.payload["fallback"] = True
            step.payload["chars"] = len(reply)
        self.notes = f"{self.notes}\n\n{reply}".strip()

    async def _wants_more(self, parent: str) -> bool:
        """Ask the model whether another cycle is needed; unclear answers mean yes."""
        self.report.progress(0.9, "deciding whether to search more")
        with self.report.step("deciding whether to search more", parent=parent) as step:
            messages = prompts.build_decision_messages(
                self.question, self.notes, cycle=self.cycle, cycles=self.cycles
            )
            reply = await self.model.ask(messages, "decision")
            if reply.timed_out:
                self._out_of_time(
                    step, "decision", "decide whether to search more", "searching no more", 0.95
                )
                step.payload["more"] = False
                return False
            decision = prompts.parse_decision(reply.text)
            step.payload.update(more=decision.more, why=decision.why)
        return decision.more is not False

    def _nothing_found_note(self) -> str:
        failed = self.reader.failed
        if failed:
            reasons = "; ".join(f"{page.url}: {page.reason}" for page in failed[:5])
            detail = f"{pages_wording(len(failed))} could not be read ({reasons})."
        else:
            detail = "The searches returned no pages to read."
        return f"The web search found nothing usable for this question. {detail}"


async def run_research(
    question: str,
    *,
    model: ChatProvider,
    model_name: str,
    search: SearchProvider,
    fetcher: PageFetcher,
    cycles: int,
    max_sources: int,
    reporter: ResearchReporter,
    temperature: float | None = None,
    results_per_query: int = 6,
    limits: ResearchSettings | None = None,
) -> ResearchOutcome:
    """Research `question` on the web in up to `cycles` rounds; see the module docstring."""
    research = _Research(
        question,
        model=model,
        model_name=model_name,
        search=search,
        fetcher=fetcher,
        cycles=cycles,
        max_sources=max_sources,
        reporter=reporter,
        temperature=temperature,
        results_per_query=results_per_query,
        limits=limits or ResearchSettings(),
    )
    return await research.run()
