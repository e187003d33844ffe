"""`vicechat versions` and `vicechat diff`: a section's versions and word-level diffs.

`diff` prints the changes inline: `[-old-]{+new+}` when the output goes to a pipe or a file
(as `git diff --word-diff=plain` does), colours on a terminal (red struck-through for what
goes, green underlined for what comes; the markers too when NO_COLOR is set), and with
`--json` the list of `{"op": "equal" | "insert" | "delete", "text": …}` in order.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown, write_stderr, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.models import SectionVersion
    from vicechat_tui.core.review.diff import TextDiff
    from vicechat_tui.core.runtime import VicechatCore

DELETED_STYLE, INSERTED_STYLE, RESET = "\x1b[9;31m", "\x1b[4;32m", "\x1b[0m"


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doc", dest="document_id", type=positive_id, required=True)
    parser.add_argument("--section", dest="section_id", type=positive_id, required=True)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    versions = add_command(subparsers, "versions", help="list a section's versions (newest first)")
    _add_target(versions)
    versions.add_argument("--json", action="store_true", help="print JSON")
    versions.set_defaults(handler=run_versions)

    diff = add_command(
        subparsers,
        "diff",
        help="print the word-level changes between two versions of a section "
        "(default: the previous version against the current text)",
    )
    _add_target(diff)
    diff.add_argument("--from", dest="from_version", type=positive_id, metavar="N")
    diff.add_argument(
        "--to", dest="to_version", type=positive_id, metavar="M", help="default: current text"
    )
    diff.add_argument("--json", action="store_true", help="print the operations as JSON")
    diff.set_defaults(handler=run_diff)


def _version_json(version: SectionVersion) -> dict[str, Any]:
    from vicechat_tui.core.review.tokens import count_words
    from vicechat_tui.core.transfer.json_export import iso_time

    return {
        "version": version.version,
        "source": version.source,
        "created_at": iso_time(version.created_at),
        "created_by": version.created_by,
        "words": count_words(version.content),
        "changes_kept": version.changes_kept,
        "changes_total": version.changes_total,
    }


def _version_line(entry: dict[str, Any]) -> str:
    from vicechat_tui.core.review.sources import source_label

    source = source_label(entry["source"])
    line = f"v{entry['version']:<5} {shown(source):<14} {entry['created_at'][:19]}  "
    line += f"{entry['words']:>7,} words"
    if entry["changes_total"] is not None:
        line += f"  kept {entry['changes_kept']} of {entry['changes_total']} changes"
    return line


def run_versions(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[SectionVersion]:
        await core.sections.get(args.section_id, document_id=args.document_id)
        return await core.sections.versions(args.section_id)

    entries = [_version_json(version) for version in context.run(work)]
    if args.json:
        print_json(entries)
    else:
        write_stdout("".join(_version_line(entry) + "\n" for entry in entries))
    return 0


@dataclass(frozen=True)
class _Compared:
    old_label: str
    new_label: str
    diff: TextDiff


async def _compare(core: VicechatCore, args: argparse.Namespace) -> _Compared:
    from vicechat_tui.core.review.diff import diff_texts

    section = await core.sections.get(args.section_id, document_id=args.document_id)
    if args.to_version is None:
        new_text, new_label = section.content, "the current text"
    else:
        new_text = (await core.sections.version(args.section_id, args.to_version)).content
        new_label = f"version {args.to_version}"
    if args.from_version is None:
        versions = await core.sections.versions(args.section_id)
        older = versions[1] if len(versions) > 1 else versions[0]
        old_text, old_label = older.content, f"version {older.version}"
    else:
        old_text = (await core.sections.version(args.section_id, args.from_version)).content
        old_label = f"version {args.from_version}"
    return _Compared(old_label, new_label, diff_texts(old_text, new_text))


def _inline(diff: TextDiff, *, colours: bool) -> str:
    """The diff as one text: markers, or (colours) SGR around text already made visible."""
    parts: list[str] = []
    for op, text in diff.ops():
        if op == "equal":
            parts.append(text)
        elif colours:
            style = DELETED_STYLE if op == "delete" else INSERTED_STYLE
            parts.append(f"{style}{shown(text)}{RESET}")
        else:
            parts.append(f"[-{text}-]" if op == "delete" else f"{{+{text}+}}")
    return "".join(parts)


def run_diff(args: argparse.Namespace, context: CliContext) -> int:
    compared = context.run(lambda core: _compare(core, args))
    diff = compared.diff
    if args.json:
        print_json([{"op": op, "text": text} for op, text in diff.ops()])
        return 0
    colours = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = _inline(diff, colours=colours)
    if text and not text.endswith("\n"):
        text += "\n"
    write_stdout(text, keep_styles=colours)
    write_stderr(f"{compared.old_label} → {compared.new_label}: {diff.summary().line()}\n")
    return 0
