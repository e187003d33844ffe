"""`vicechat ask`: send a message to a section's chat and stream the reply to stdout.

The reply streams to stdout, then the sources it cites (`Sources:` and one line each);
steps and progress go to stderr. With `--json` nothing streams: one JSON object follows the
end (job id, status, reply, sources, message id, error), whatever the end was.

Exit codes: 0 done, 1 bad input, 3 provider or network
failure (the user's message is kept), 4 the database could not store it (a full disk…: the
reply is kept as far as it was stored, the job ends failed), 130 on Ctrl-C (the partial reply
is kept, cancelled).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown, shown_title

if TYPE_CHECKING:
    from vicechat_tui.core.events import JobEvent
    from vicechat_tui.core.runtime import VicechatCore

EXIT_OK = 0
EXIT_PROVIDER_FAILURE = 3
EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "ask",
        help="ask a section's chat and stream the reply",
        description="Send MESSAGE to the chat of a section; the reply streams to stdout and "
        "both messages are stored. Flags override the chat's settings for this call only.",
    )
    parser.add_argument("--doc", dest="document_id", type=positive_id, required=True)
    parser.add_argument("--section", dest="section_id", type=positive_id, required=True)
    parser.add_argument(
        "--assistant", metavar="NAME", help="answer as this assistant (see 'assistant list')"
    )
    parser.add_argument("--provider", help="configured provider name")
    parser.add_argument("--model", help="model id at that provider")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--max-tokens", dest="max_tokens", type=int)
    parser.add_argument("--system", dest="system_prompt", metavar="TEXT", help="system prompt")
    parser.add_argument("--web", action="store_true", help="research the web first")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end (job id, status, reply, sources) instead of "
        "streaming the reply",
    )
    parser.add_argument("message", metavar="MESSAGE", help="the message; '-' reads stdin")
    parser.set_defaults(handler=run_ask)


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    names = ("assistant", "provider", "model", "temperature", "max_tokens", "system_prompt")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if args.web:
        overrides["web_search"] = True
    return overrides


def read_message(argument: str) -> str:
    if argument != "-":
        return argument
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from vicechat_tui.core.errors import InvalidInputError

        raise InvalidInputError("The message on stdin is not UTF-8 text.") from None


class ReplyPrinter:
    """Writes deltas to stdout and steps/progress to stderr, as they arrive (via `shown`).

    `out` None: the reply is not streamed (`--json` prints it whole at the end).
    """

    def __init__(self, out: TextIO | None, err: TextIO) -> None:
        self._out, self._err = out, err
        self._last_label = ""
        self.wrote_text = False

    def show(self, event: JobEvent) -> None:
        from vicechat_tui.core import events

        if self._out is None:
            if not isinstance(event, events.TokenDelta | events.JobSnapshot):
                self._show_progress(event)
        elif isinstance(event, events.TokenDelta):
            self._out.write(shown(event.text, self._out))
            self._out.flush()
            self.wrote_text = True
        elif isinstance(event, events.JobSnapshot) and event.text:
            self._out.write(shown(event.text, self._out))
            self.wrote_text = True
        else:
            self._show_progress(event)

    def _show_progress(self, event: JobEvent) -> None:
        from vicechat_tui.core import events

        if isinstance(event, events.StepStarted):
            indent = "    " if event.parent_id else "  "
            self._note(f"{indent}· {event.label}")
        elif isinstance(event, events.StepFinished) and event.status == "failed":
            from vicechat_tui.core.jobs.step_text import failure_line

            self._note(f"    {failure_line(event.payload)}")
        elif isinstance(event, events.ProgressChanged) and event.label != self._last_label:
            self._last_label = event.label
            self._note(f"[{round(event.fraction * 100):3d}%] {event.label}")
        elif isinstance(event, events.SourcesFound):
            self._note(f"  {len(event.sources)} sources so far")

    def show_sources(self, sources: list[Any]) -> None:
        """The cited sources, on stdout after the reply."""
        out = self._out
        if sources and out is not None:
            out.write("\nSources:\n")
            for source in sources:
                if source.is_file:
                    where = shown_title(f"{source.path} · {source.location}", out)
                    out.write(f"  [{source.number}] {where}\n")
                    continue
                title = shown_title(source.title, out)
                url = shown_title(source.url, out)
                out.write(f"  [{source.number}] {title} <{url}>\n")
            out.flush()

    def _note(self, line: str) -> None:
        self._err.write(shown(line, self._err) + "\n")
        self._err.flush()


async def ask(core: VicechatCore, args: argparse.Namespace, text: str) -> int:
    import asyncio
    import signal

    from vicechat_tui.core import events

    job_id = await core.jobs.send(
        args.document_id, args.section_id, text, overrides=overrides_from(args)
    )
    printer = ReplyPrinter(None if args.json else sys.stdout, sys.stderr)
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, interrupted.set)

    async def follow() -> events.JobFinished | None:
        async for event in core.jobs.subscribe(job_id):
            printer.show(event)
            if isinstance(event, events.JobFinished):
                return event
        return None

    follower = asyncio.create_task(follow())
    stopper = asyncio.create_task(interrupted.wait())
    done, _ = await asyncio.wait({follower, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if stopper in done:
        await core.jobs.cancel(job_id)
        await follower
    stopper.cancel()
    finished = follower.result()
    if printer.wrote_text:
        sys.stdout.write("\n")
        sys.stdout.flush()
    state = core.jobs.get(job_id)
    printer.show_sources(state.sources)
    if args.json:
        print_json(
            {
                "job_id": job_id,
                "status": finished.status if finished is not None else "cancelled",
                "reply": state.text,
                "sources": [source.to_json() for source in state.sources],
                "message_id": state.assistant_message_id,
                "assistant": state.assistant,
                "model": state.model,
                "error": finished.error if finished is not None else None,
            }
        )
    if finished is None or finished.status == "cancelled":
        sys.stderr.write("vicechat: cancelled; the partial reply is kept\n")
        return EXIT_INTERRUPTED
    if finished.status != "completed":
        from vicechat_tui.core.errors import DatabaseError

        failure = core.jobs.failure(job_id)
        if isinstance(failure, DatabaseError):  # the reply could not be stored: exit 4
            raise failure
        message = finished.error or "the reply failed"
        raise _ProviderFailure(message)
    return EXIT_OK


class _ProviderFailure(Exception):
    pass


def run_ask(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.cli.main import report_error

    text = read_message(args.message)

    async def work(core: VicechatCore) -> int:
        return await ask(core, args, text)

    try:
        return context.run(work)
    except _ProviderFailure as failure:
        report_error(f"{failure} (your message is kept in the chat)")
        return EXIT_PROVIDER_FAILURE
