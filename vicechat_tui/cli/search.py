"""`vicechat search QUERY`: full-text search over documents, sections, chats and sources."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import (
    CliContext,
    VicechatArgumentParser,
    add_command,
    add_global_options,
    positive_id,
)
from vicechat_tui.cli.output import print_json, write_stderr, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.services.search import SearchHit, SearchResults

KIND_CHOICES = {
    "sections": "section",
    "section": "section",
    "chats": "chat",
    "chat": "chat",
    "sources": "source",
    "source": "source",
    "documents": "document",
    "document": "document",
}
MAX_LIMIT = 500
BOLD, RESET = "\x1b[1m", "\x1b[0m"

SYNTAX = """\
query syntax:
  moon landing          both words (all must match)
  "sea of tranquility"  this phrase
  -apollo               not this word
  tranq*                words starting with tranq
  in:sections,chats,sources,documents   doc:12   status:draft,review,final
  after:2024-05-01   before:2024-06
"""


def _kinds(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in KIND_CHOICES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use a comma-separated list of sections, chats, sources, documents"
        )
    return sorted({KIND_CHOICES[name] for name in names})


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"the limit is 1 to {MAX_LIMIT}")
    return value


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doc", dest="document_id", type=positive_id, help="only this document")
    parser.add_argument(
        "--in",
        dest="kinds",
        type=_kinds,
        metavar="KINDS",
        help="only these: sections, chats, sources, documents (comma-separated)",
    )
    parser.add_argument(
        "--limit", type=_limit, default=20, help=f"at most N results (default 20, max {MAX_LIMIT})"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _options_parser() -> VicechatArgumentParser:
    """The options again, for the words after the query ("moon -apollo --json")."""
    parser = VicechatArgumentParser(prog="vicechat search", add_help=False, allow_abbrev=False)
    _add_options(parser)
    add_global_options(parser, with_defaults=False)
    return parser


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    search = add_command(
        subparsers,
        "search",
        help="find text in documents, sections, chats and sources",
        description="Search what you can see. Options may come before or after the query; "
        "words starting with - exclude (use -- before a query that starts with --).",
        epilog=SYNTAX,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_options(search)
    search.add_argument("query", nargs=argparse.REMAINDER, help="what to look for")
    search.set_defaults(handler=run_search)


def split_query(args: argparse.Namespace) -> tuple[argparse.Namespace, str]:
    """Options written after the query are taken out of it; the rest is the query."""
    words: list[str] = list(args.query)
    if words and words[0] == "--":
        return args, " ".join(words[1:])
    options, rest = _options_parser().parse_known_args(words, namespace=args)
    if "--" in rest:
        at = rest.index("--")
        rest = rest[:at] + rest[at + 1 :]
    return options, " ".join(rest)


def run_search(args: argparse.Namespace, context: CliContext) -> int:
    try:
        args, text = split_query(args)
    except SystemExit as usage:  # a bad option after the query, already reported
        return usage.code if isinstance(usage.code, int) else 2
    if getattr(args, "db", None) or getattr(args, "config", None):
        context = CliContext.from_args(args)
    if not text.strip():
        raise _usage_error("Say what to search for, for example: vicechat search moon landing")
    from vicechat_tui.core.search.query import Kind

    kinds = [Kind(kind) for kind in args.kinds] if args.kinds else None

    async def work(core: VicechatCore) -> SearchResults:
        return await core.search.search(
            text, document_id=args.document_id, kinds=kinds, limit=args.limit
        )

    results = context.run(work)
    for hint in results.hints:
        write_stderr(f"vicechat: hint: {hint}\n")
    if args.json:
        print_json([hit.to_json() for hit in results.hits])
    elif not results.hits:
        write_stdout("No results.\n")
    else:
        bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        write_stdout("".join(render_hit(hit, bold=bold) for hit in results.hits), keep_styles=bold)
    return 0


def _usage_error(message: str) -> Exception:
    from vicechat_tui.core.errors import InvalidInputError

    return InvalidInputError(message)


def render_hit(hit: SearchHit, *, bold: bool) -> str:
    """Two lines: what and where, then the snippet (matches in bold on a terminal)."""
    from vicechat_tui.core.text_safety import make_visible_line

    where = [f"doc {hit.document_id}"]
    if hit.section_id is not None:
        where.append(f"section {hit.section_id}")
    if hit.message_id is not None:
        where.append(f"message {hit.message_id}")
    kind = f"chat · {hit.role}" if hit.kind.value == "chat" and hit.role else hit.kind.value
    title = make_visible_line(hit.title)
    if hit.title != hit.document_title:
        title += f" · {make_visible_line(hit.document_title)}"
    snippet = "".join(
        _styled(make_visible_line(piece), matched and bold) for piece, matched in _pieces(hit)
    )
    return f"[{kind}] {title}  ({', '.join(where)})\n    {snippet}\n"


def _pieces(hit: SearchHit) -> Sequence[tuple[str, bool]]:
    return hit.snippet.segments or (("", False),)


def _styled(text: str, bold: bool) -> str:
    return f"{BOLD}{text}{RESET}" if bold else text
