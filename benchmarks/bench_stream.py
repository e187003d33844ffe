"""Figures 4 and 5: streaming a long Markdown reply into the chat pane.

Figure 4: a local SSE server (its own process) sends a 20,000-token Markdown reply (prose,
lists, code fences, tables) as fast as the socket takes it; the real app sends the message
from the chat pane and renders the reply. A clock on the frames notes, for every frame
written, how much of the reply the Markdown widget shows; from that: tokens/s rendered and
the cost of the first and the last 2,000 tokens. Baseline (same run): a bare Textual app
with a stock `MarkdownStream` fed the same tokens in-process.

Figure 5: the same at 150 tokens/s (about 18 KB) with a lag probe (a task sleeping 10 ms
again and again, measuring how late it wakes) inside the app's loop. Baselines: the app
idle, and the stock `MarkdownStream` at 150 tokens/s.

    python benchmarks/bench_stream.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from itertools import accumulate
from pathlib import Path
from typing import Any

from harness import (
    BENCH_DIR,
    PYTHON,
    Figure,
    emit,
    median,
    ms,
    percentile,
    profile_path,
    ratio,
    run_in_pty,
    scratch_folder,
    summary_ms,
)
from markdown_reply import markdown_reply

FAST_TOKENS = 20_000
WINDOW = 2_000
PACED_RATE = 150.0
LAG_INTERVAL = 0.01


# -- measuring in the child --------------------------------------------------------------------


class RenderLog:
    """(frame time, characters of the reply shown) for every frame written."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, int]] = []

    def note(self, now: float, markdown: Any) -> None:
        if markdown is not None and not markdown.lock.locked():
            self.frames.append((now, len(markdown.source)))

    def shown_at(self, characters: int) -> float | None:
        """When a frame first showed at least `characters` characters."""
        shown = [count for _, count in self.frames]
        for index in range(len(shown)):
            if shown[index] >= characters:
                return self.frames[index][0]
        return None


def windows(log: RenderLog, tokens: list[str], started: float) -> dict[str, Any]:
    """Tokens/s and the cost of the first and last WINDOW tokens, from the frames."""
    ends = list(accumulate(len(token) for token in tokens))
    count = len(tokens)
    shown = [log.shown_at(ends[k - 1]) for k in (1, min(WINDOW, count), max(1, count - WINDOW), count)]
    if any(at is None for at in shown):
        raise RuntimeError(f"the reply never showed completely: {shown}, {log.frames[-3:]}")
    first_token, first_window_end, last_window_start, last = (float(at or 0) for at in shown)
    return {
        "tokens": count,
        "characters": ends[-1],
        "seconds": last - started,
        "tokens_per_second": count / (last - started),
        "first_token_ms": ms(first_token - started),
        "first_window_ms": ms(first_window_end - first_token),
        "last_window_ms": ms(last - last_window_start),
        "render_frames": len(log.frames),
    }


async def vicechat_scenario(
    pilot: Any, clock: Any, document_id: int, section_id: int, tokens: list[str],
    paced: bool, profile: Path | None,
) -> dict[str, Any]:
    from probes import LagProbe, profiled, until
    from workspace_driver import ready, rendered, show_section

    await ready(pilot)
    pane = await show_section(pilot, document_id, section_id)
    log = RenderLog()
    seen: dict[str, Any] = {}

    def frame(now: float) -> None:
        view = seen.get("view") or pane.replies.view
        if view is None:
            return
        seen["view"] = view
        log.note(now, view.body)

    clock.on_frame(frame)
    probe = LagProbe(LAG_INTERVAL)
    pane.chat_input.load_text("Write the long report, please.")
    probe.start()
    with profiled(profile):
        started = time.monotonic()
        await pane.run_action("chat_send")
        await until(lambda: "view" in seen and seen["view"].state != "streaming", timeout=600)
        done = time.monotonic()
        view = seen["view"]
        final = await clock.shows(
            lambda: not view.body.lock.locked() and rendered(view.body), timeout=60
        )
    await probe.stop()
    result = windows(log, tokens, started)
    streaming_lags = probe.between(started, done)
    result.update(
        state=view.state,
        final_render_ms=ms(final - done),
        lag=summary_ms(streaming_lags),
        final_render_max_lag_ms=ms(max(probe.between(done, final + 0.05), default=0.0)),
        paced=paced,
    )
    return result


def stock_app(tokens: list[str], rate: float, profile: Path | None) -> Any:
    """A bare app: a stock Markdown widget fed by a stock MarkdownStream, in-process."""
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Footer, Markdown

    from probes import LagProbe, PaintClock, profiled

    class StockApp(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.result: dict[str, Any] = {}

        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield Markdown("")
            yield Footer()

        async def on_mount(self) -> None:
            self.call_after_refresh(self.run_worker, self.feed())

        async def feed(self) -> None:
            await asyncio.sleep(0.3)
            markdown = self.query_one(Markdown)
            self.query_one(VerticalScroll).anchor()
            log = RenderLog()
            clock.on_frame(lambda now: log.note(now, markdown))
            probe = LagProbe(LAG_INTERVAL)
            probe.start()
            with profiled(profile):
                started = time.monotonic()
                stream = Markdown.get_stream(markdown)
                for index, token in enumerate(tokens):
                    if rate:
                        wait = started + index / rate - time.monotonic()
                        if wait > 0:
                            await asyncio.sleep(wait)
                    await stream.write(token)
                await stream.stop()
                done = time.monotonic()
                final = await clock.shows(lambda: not markdown.lock.locked(), timeout=600)
            await probe.stop()
            self.result = windows(log, tokens, started)
            self.result.update(lag=summary_ms(probe.between(started, done)), paced=bool(rate),
                               final_render_ms=ms(final - done))
            self.exit()

    app = StockApp()
    clock = PaintClock(app)
    return app


def child(args: argparse.Namespace) -> None:
    from harness import write_result

    tokens = markdown_reply(args.tokens)
    if args.mode == "stock":
        app = stock_app(tokens, args.rate, args.profile)
        try:
            app.run()
        except Exception as error:  # pragma: no cover - reported to the parent
            write_result({"error": repr(error)})
            return
        write_result(app.result or {"error": "the stock app did not finish"})
        return
    from workspace_driver import bench_settings, build_app, run_scenario, seed

    values: dict[str, Any] = {}
    if args.port:
        provider = {"kind": "openai", "base_url": f"http://127.0.0.1:{args.port}/v1",
                    "default_model": "bench-model", "max_retries": 0, "read_timeout": 60.0}
        values = {"providers": {"local": provider}, "default_provider": "local"}
    settings = bench_settings(**values)
    url = f"sqlite:///{args.db}"
    document_id, (section_id,) = asyncio.run(seed(url, settings, "Report", ["Findings"]))

    async def idle(pilot: Any, clock: Any) -> dict[str, Any]:
        from probes import LagProbe
        from workspace_driver import ready, show_section

        await ready(pilot)
        await show_section(pilot, document_id, section_id)
        probe = LagProbe(LAG_INTERVAL)
        probe.start()
        await asyncio.sleep(args.seconds)
        return {"lag": summary_ms(await probe.stop())}

    async def stream(pilot: Any, clock: Any) -> dict[str, Any]:
        return await vicechat_scenario(
            pilot, clock, document_id, section_id, tokens, bool(args.rate), args.profile
        )

    run_scenario(build_app(settings, url), idle if args.mode == "idle" else stream)


# -- the parent ----------------------------------------------------------------------------


def run_child(mode: str, tokens: int, rate: float, *, seconds: float = 0.0,
              profile: Path | None = None) -> dict[str, Any]:
    from sse_server import SseServer

    argv = [PYTHON, str(Path(__file__)), "--child", mode, "--tokens", str(tokens),
            "--rate", str(rate), "--seconds", str(seconds)]
    if profile is not None:
        argv += ["--profile-file", str(profile)]
    with scratch_folder() as folder:
        argv += ["--db", str(folder / "stream.db")]
        if mode == "vicechat":
            with SseServer(markdown_reply(tokens), rate) as server:
                argv += ["--port", str(server.port)]
                return run_in_pty(argv, timeout=900).result
        return run_in_pty(argv, timeout=900).result


def measure_fast(rounds: int, tokens: int, profile: bool) -> list[Figure]:
    results: dict[str, list[dict[str, Any]]] = {"vicechat": [], "stock": []}
    for index in range(rounds):
        for mode in (("vicechat", "stock") if index % 2 == 0 else ("stock", "vicechat")):
            results[mode].append(run_child(mode, tokens, 0.0))
    if profile:
        run_child("vicechat", tokens, 0.0, profile=profile_path("stream-fast-vicechat"))
        run_child("stock", tokens, 0.0, profile=profile_path("stream-fast-stock"))

    def med(mode: str, key: str) -> float:
        return median([result[key] for result in results[mode]])

    rate, stock_rate = med("vicechat", "tokens_per_second"), med("stock", "tokens_per_second")
    tail = median([r["last_window_ms"] / r["first_window_ms"] for r in results["vicechat"]])
    stock_tail = median([r["last_window_ms"] / r["first_window_ms"] for r in results["stock"]])
    measured = {
        "tokens_per_second": round(rate),
        "seconds": round(med("vicechat", "seconds"), 2),
        "first_window_ms": med("vicechat", "first_window_ms"),
        "last_window_ms": med("vicechat", "last_window_ms"),
        "final_full_render_ms": med("vicechat", "final_render_ms"),
        "render_frames": int(med("vicechat", "render_frames")),
        "characters": results["vicechat"][0]["characters"],
        "rounds_tokens_per_second": [round(r["tokens_per_second"]) for r in results["vicechat"]],
    }
    baseline = {
        "stock_markdownstream_tokens_per_second": round(stock_rate),
        "stock_first_window_ms": med("stock", "first_window_ms"),
        "stock_last_window_ms": med("stock", "last_window_ms"),
        "stock_last_over_first": round(stock_tail, 2),
    }
    return [
        Figure(
            "4-rate", f"streaming a {tokens:,}-token Markdown reply as fast as the server sends",
            measured, baseline, ratio(rate, stock_rate), "≥ 2,000 tokens/s rendered",
            rate >= 2000, rounds, unit="ratio = vicechat tokens/s ÷ stock MarkdownStream tokens/s",
        ),
        Figure(
            "4-tail", "cost of the last 2,000 tokens vs the first 2,000 (same stream)",
            {"last_over_first": round(tail, 2), "first_window_ms": measured["first_window_ms"],
             "last_window_ms": measured["last_window_ms"]},
            baseline, round(tail, 2), "≤ 1.3×", tail <= 1.3, rounds,
        ),
    ]


def measure_paced(tokens: int, profile: bool) -> list[Figure]:
    idle = run_child("idle", tokens, 0.0, seconds=5.0)
    vicechat = run_child("vicechat", tokens, PACED_RATE)
    stock = run_child("stock", tokens, PACED_RATE)
    if profile:
        run_child("vicechat", tokens, PACED_RATE, profile=profile_path("stream-paced-vicechat"))
    p99 = vicechat["lag"]["p99_ms"]
    return [
        Figure(
            "5", f"event-loop lag while streaming {tokens:,} tokens at {PACED_RATE:.0f} tokens/s",
            {"lag": vicechat["lag"], "tokens_per_second": round(vicechat["tokens_per_second"]),
             "characters": vicechat["characters"],
             "final_full_render_ms": vicechat["final_render_ms"],
             "final_render_max_lag_ms": vicechat["final_render_max_lag_ms"]},
            {"idle_app_lag": idle["lag"], "stock_markdownstream_lag": stock["lag"]},
            ratio(p99, stock["lag"]["p99_ms"]), "p99 ≤ 50 ms", p99 <= 50, 1,
            unit="ratio = vicechat p99 ÷ stock MarkdownStream p99 at the same rate",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=("4", "5"))
    parser.add_argument("--child", dest="mode", choices=("vicechat", "stock", "idle"))
    parser.add_argument("--tokens", type=int, default=FAST_TOKENS)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--profile-file", dest="profile_file", type=Path)
    args = parser.parse_args()
    if args.mode:
        args.profile = args.profile_file
        child(args)
        return
    figures: list[Figure] = []
    if args.only in (None, "4"):
        figures += measure_fast(1 if args.quick else 3, FAST_TOKENS, args.profile)
    if args.only in (None, "5"):
        figures += measure_paced(1_200 if args.quick else 3_300, args.profile)
    emit(figures)


if __name__ == "__main__":
    sys.exit(main())
