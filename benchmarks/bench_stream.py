"""Figures 4 and 5: streaming a long Markdown reply into the chat pane.

Figure 4: a local SSE server (its own process) sends a 20,000-token Markdown reply (prose,
lists, code fences, tables) as fast as the socket takes it; the real app sends the message
from the chat pane and renders the reply. A clock on the frames notes, for every frame
written, how much of the reply the chat shows (`stream_measure.py`); from that: tokens/s
shown and the cost per token of the first and the last 2,000 tokens. Baseline (same run):
the same reply through the core's job engine alone, no UI (`stream_baselines.py`).

Figure 5: the same at 150 tokens/s (about 18 KB) with a lag probe (a task sleeping 10 ms
again and again, measuring how late it wakes) inside the app's loop. Baselines: the app
idle, and a bare app with a stock `MarkdownStream` at 150 tokens/s.

    python benchmarks/bench_stream.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from harness import (
    PYTHON,
    Figure,
    emit,
    median,
    ms,
    profile_path,
    ratio,
    run_in_pty,
    scratch_folder,
    summary_ms,
)
from markdown_reply import markdown_reply
from stream_baselines import LAG_INTERVAL, engine_only, stock_app
from stream_measure import RenderLog, shown_characters, windows

FAST_TOKENS = 20_000
PACED_RATE = 150.0


# -- measuring in the child --------------------------------------------------------------------


async def vicechat_scenario(
    pilot: Any,
    clock: Any,
    document_id: int,
    section_id: int,
    tokens: list[str],
    paced: bool,
    profile: Path | None,
) -> dict[str, Any]:
    from probes import GcWatch, LagProbe, profiled, until
    from workspace_driver import ready, rendered, show_section

    await ready(pilot)
    pane = await show_section(pilot, document_id, section_id)
    reply = "".join(tokens)
    log = RenderLog(reply)
    seen: dict[str, Any] = {}

    def frame(now: float) -> None:
        view = seen.get("view") or pane.chat_log.following
        if view is None or not view.children:
            return
        seen["view"] = view
        log.note(now, view.body)

    clock.on_frame(frame)
    probe = LagProbe(LAG_INTERVAL)
    pane.chat_input.load_text("Write the long report, please.")
    probe.start()

    def final_render_shown() -> bool:
        view = seen.get("view")
        return (
            view is not None
            and view.state != "streaming"
            and not pane.running
            and shown_characters(view.body, reply) == len(reply)
            and rendered(view.body)
        )

    with profiled(profile), GcWatch() as gc_watch:
        final_shown = clock.watch(final_render_shown)
        started = time.monotonic()
        await pane.run_action("chat_send")
        await until(lambda: "view" in seen and seen["view"].state != "streaming", timeout=600)
        done = time.monotonic()
        final = await asyncio.wait_for(final_shown, 120)
        view = seen["view"]
    await probe.stop()
    result = windows(log, tokens, started)
    streaming_lags = probe.between(started, done)
    result.update(
        state=view.state,
        final_render_ms=ms(final - done),
        lag=summary_ms(streaming_lags),
        final_render_max_lag_ms=ms(max(probe.between(done, final + 0.05), default=0.0)),
        gc=gc_watch.summary(),
        lags_over_50ms_with_gc=sum(
            1
            for at, lag in zip(probe.times, probe.lags, strict=True)
            if lag > 0.05 and started <= at <= done and gc_watch.pauses_between(at - lag, at) > 0.02
        ),
        lags_over_50ms=sum(1 for lag in streaming_lags if lag > 0.05),
        paced=paced,
    )
    return result


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
        provider = {
            "kind": "openai",
            "base_url": f"http://127.0.0.1:{args.port}/v1",
            "default_model": "bench-model",
            "max_retries": 0,
            "read_timeout": 60.0,
        }
        values = {"providers": {"local": provider}, "default_provider": "local"}
    settings = bench_settings(**values)
    url = f"sqlite:///{args.db}"
    document_id, (section_id,) = asyncio.run(seed(url, settings, "Report", ["Findings"]))
    if args.mode == "engine":
        result = asyncio.run(engine_only(url, settings, document_id, section_id))
        result["tokens_per_second"] = len(tokens) / result["seconds"]
        write_result(result)
        return

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


def run_child(
    mode: str, tokens: int, rate: float, *, seconds: float = 0.0, profile: Path | None = None
) -> dict[str, Any]:
    from sse_server import SseServer

    argv = [
        PYTHON,
        str(Path(__file__)),
        "--child",
        mode,
        "--tokens",
        str(tokens),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
    ]
    if profile is not None:
        argv += ["--profile-file", str(profile)]
    with scratch_folder() as folder:
        argv += ["--db", str(folder / "stream.db")]
        if mode in ("vicechat", "engine"):
            with SseServer(markdown_reply(tokens), rate) as server:
                argv += ["--port", str(server.port)]
                return run_in_pty(argv, timeout=900).result
        return run_in_pty(argv, timeout=900).result


def measure_fast(rounds: int, tokens: int, profile: bool) -> list[Figure]:
    results: dict[str, list[dict[str, Any]]] = {"vicechat": [], "engine": []}
    for index in range(rounds):
        for mode in ("vicechat", "engine") if index % 2 == 0 else ("engine", "vicechat"):
            results[mode].append(run_child(mode, tokens, 0.0))
    if profile:
        run_child("vicechat", tokens, 0.0, profile=profile_path("stream-fast-vicechat"))

    def med(mode: str, key: str) -> float:
        return median([result[key] for result in results[mode]])

    rate, engine_rate = med("vicechat", "tokens_per_second"), med("engine", "tokens_per_second")
    tails = [
        r["last_window_us_per_token"] / max(r["first_window_us_per_token"], 0.1)
        for r in results["vicechat"]
    ]
    tail = median(tails)
    window_frames = min(
        min(r["first_window_frames"], r["last_window_frames"]) for r in results["vicechat"]
    )
    measurable = all(r["first_window_us_per_token"] > 0 for r in results["vicechat"])
    measured = {
        "tokens_per_second": round(rate),
        "seconds_to_all_shown": round(med("vicechat", "seconds"), 2),
        "first_token_ms": med("vicechat", "first_token_ms"),
        "first_window_us_per_token": med("vicechat", "first_window_us_per_token"),
        "last_window_us_per_token": med("vicechat", "last_window_us_per_token"),
        "final_full_render_ms": med("vicechat", "final_render_ms"),
        "frames_showing_new_text": int(med("vicechat", "render_frames")),
        "loop_lag": results["vicechat"][0]["lag"],
        "characters": results["vicechat"][0]["characters"],
        "rounds_tokens_per_second": [round(r["tokens_per_second"]) for r in results["vicechat"]],
    }
    baseline = {
        "engine_only_tokens_per_second": round(engine_rate),
        "engine_only_seconds": round(med("engine", "seconds"), 2),
    }
    return [
        Figure(
            "4-rate",
            f"streaming a {tokens:,}-token Markdown reply as fast as the server sends",
            measured,
            baseline,
            ratio(rate, engine_rate),
            "≥ 2,000 tokens/s rendered",
            rate >= 2000,
            rounds,
            unit="ratio = tokens/s shown on screen ÷ tokens/s through the core alone (no UI)",
        ),
        Figure(
            "4-tail",
            "cost per token of the last 2,000 tokens vs the first 2,000 (same stream)",
            {
                "last_over_first": round(tail, 2),
                "first_window_us_per_token": measured["first_window_us_per_token"],
                "last_window_us_per_token": measured["last_window_us_per_token"],
                "fewest_frames_in_a_window": window_frames,
                "rounds": [round(t, 2) for t in tails],
            },
            {"first_window_us_per_token": measured["first_window_us_per_token"]},
            round(tail, 2),
            "≤ 1.3×",
            tail <= 1.3 and measurable,
            rounds,
            notes=[]
            if measurable
            else ["a window was shown within a single frame, so it cannot be timed: fail"],
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
            "5",
            f"event-loop lag while streaming {tokens:,} tokens at {PACED_RATE:.0f} tokens/s",
            {
                "lag": vicechat["lag"],
                "tokens_per_second": round(vicechat["tokens_per_second"]),
                "characters": vicechat["characters"],
                "final_full_render_ms": vicechat["final_render_ms"],
                "final_render_max_lag_ms": vicechat["final_render_max_lag_ms"],
                "lags_over_50ms": vicechat["lags_over_50ms"],
                "of_which_with_a_gc_pause_over_20ms": vicechat["lags_over_50ms_with_gc"],
                "gc": vicechat["gc"],
            },
            {"idle_app_lag": idle["lag"], "stock_markdownstream_lag": stock["lag"]},
            ratio(p99, stock["lag"]["p99_ms"]),
            "p99 ≤ 50 ms",
            p99 <= 50,
            1,
            unit="ratio = vicechat p99 ÷ stock MarkdownStream p99 at the same rate",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=("4", "5"))
    parser.add_argument("--child", dest="mode", choices=("vicechat", "engine", "stock", "idle"))
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
    main()
