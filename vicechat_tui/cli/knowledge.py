"""`vicechat kb …`: knowledge collections of your own files, and which documents use them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown_title, write_stderr, write_stdout
from vicechat_tui.core.knowledge.readiness import MISSING_VECTORS, NO_EMBEDDING_MODEL, vector_share

if TYPE_CHECKING:
    from vicechat_tui.core.knowledge.ingest import IngestProgress, IngestReport
    from vicechat_tui.core.runtime import VicechatCore

MAX_LIMIT = 50


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"the limit is 1 to {MAX_LIMIT}")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    kb = add_command(
        subparsers,
        "kb",
        help="knowledge collections: your own files as sources for chats",
        description="A collection holds files (Markdown, text, HTML, PDF, Word) read into "
        "passages. A chat whose settings or document name a collection searches it before "
        "answering and cites the passages it used. Collections are yours alone.",
    )
    actions = kb.add_subparsers(title="actions", dest="kb_action", metavar="ACTION")
    actions.required = True

    def action(name: str, handler: Any, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = add_command(actions, name, help=help, **kwargs)
        parser.set_defaults(handler=handler)
        return parser

    create = action("create", run_create, "make an empty collection")
    create.add_argument("name", metavar="NAME")

    add = action(
        "add",
        run_add,
        "read files and folders (recursively) into a collection",
        description="Add files and folders to NAME. Adding a folder again reads only what "
        "changed and drops files that are gone. Files that cannot be read are listed with "
        "the reason; the others are added.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("paths", metavar="PATH", nargs="+")

    listing = action("list", run_list, "your collections")
    listing.add_argument("--json", action="store_true", help="print JSON")

    files = action("files", run_files, "the files of a collection")
    files.add_argument("name", metavar="NAME")
    files.add_argument("--json", action="store_true", help="print JSON")

    remove = action("remove", run_remove, "take files (or a folder's files) out of a collection")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("paths", metavar="PATH", nargs="+")

    search = action("search", run_search, "the passages of a collection that match a question")
    search.add_argument("name", metavar="NAME")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=_limit, default=8, help=f"at most N (1 to {MAX_LIMIT})")
    search.add_argument("--json", action="store_true", help="print JSON")

    delete = action("delete", run_delete, "delete a collection (your files stay on disk)")
    delete.add_argument("name", metavar="NAME")

    for name, handler, words in (
        ("attach", run_attach, "let every chat of a document draw on a collection"),
        ("detach", run_detach, "stop a document's chats drawing on a collection"),
    ):
        parser = action(name, handler, words)
        parser.add_argument("name", metavar="NAME")
        parser.add_argument("document_id", metavar="DOC_ID", type=positive_id)

    attached = action("attached", run_attached, "the collections a document's chats draw on")
    attached.add_argument("document_id", metavar="DOC_ID", type=positive_id)
    attached.add_argument("--json", action="store_true", help="print JSON")


def run_create(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> str:
        return (await core.knowledge.create(args.name)).name

    write_stdout(f"Created collection {shown_title(context.run(work))}.\n")
    return 0


def _show_progress(progress: IngestProgress) -> None:
    """A line per file on standard error, when a person watches it (a terminal)."""
    if not sys.stderr.isatty():
        return
    if progress.current:
        write_stderr(f"[{progress.done + 1}/{progress.total}] {progress.current}\n")
    elif progress.to_embed:
        write_stderr(f"[vectors {progress.embedded}/{progress.to_embed}]\n")


def run_add(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.files import user_path

    paths = [user_path(path) for path in args.paths]

    async def work(core: VicechatCore) -> IngestReport:
        return await core.knowledge.add(args.name, paths, on_progress=_show_progress)

    report = context.run(work)
    for bad in report.failed:
        write_stderr(f"vicechat: skipped {bad.path}: {bad.reason}\n")
    parts = [f"{len(report.indexed)} read ({report.passages} passages)"]
    parts.append(f"{report.unchanged} unchanged")
    if report.removed:
        parts.append(f"{len(report.removed)} gone and dropped")
    if report.failed:
        parts.append(f"{len(report.failed)} could not be read")
    if report.embedding_model and report.embedded:
        model = shown_title(report.embedding_model)
        parts.append(f"{report.embedded} passages given vectors by {model}")
    write_stdout(f"{shown_title(args.name)}: {', '.join(parts)}.\n")
    if report.embedding_problem:
        write_stderr(
            f"vicechat: vectors not finished: {report.embedding_problem} Keyword search "
            "works; kb add again finishes the vectors.\n"
        )
    return 1 if report.failed and not (report.indexed or report.unchanged) else 0


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[dict[str, Any]]:
        return [summary.to_json() for summary in await core.knowledge.collections()]

    found = context.run(work)
    if args.json:
        print_json(found)
    elif not found:
        write_stdout("No collections yet (vicechat kb create NAME).\n")
    else:
        for item in found:
            failed = f", {item['failed']} could not be read" if item["failed"] else ""
            share = vector_share(item["passages"], item["vectors"], item["embedding_model"])
            vectors = f", {shown_title(share)}" if share else ""
            write_stdout(
                f"{shown_title(item['name'])}: {item['files']} files, "
                f"{item['passages']} passages{vectors}{failed}\n"
            )
        _vector_notes(
            found[0]["embedding_model"],
            any(item["vectors"] < item["passages"] for item in found),
        )
    return 0


def _vector_notes(model: str | None, missing: bool) -> None:
    """The line under a listing that says why search is not by meaning (or not for all)."""
    if model is None:
        write_stdout(NO_EMBEDDING_MODEL + "\n")
    elif missing:
        write_stdout(MISSING_VECTORS + "\n")


def run_files(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> tuple[str | None, list[dict[str, Any]]]:
        files = await core.knowledge.files(args.name)
        vectors = await core.knowledge.file_vectors(args.name)
        return vectors.embedding_model, [
            {
                "path": file.path,
                "status": file.status,
                "passages": file.passages,
                "vectors": vectors.by_file.get(file.id or 0, 0),
                "size": file.size,
                "error": file.error,
            }
            for file in files
        ]

    model, found = context.run(work)
    if args.json:
        print_json(found)
        return 0
    for item in found:
        state = str(item["error"])
        if item["status"] == "indexed":
            share = vector_share(item["passages"], item["vectors"], model)
            count = item["passages"]
            state = f"{count} passage{'' if count == 1 else 's'}" + (f", {share}" if share else "")
        write_stdout(f"{shown_title(item['path'])}  ({shown_title(state)})\n")
    if not found:
        write_stdout("No files yet (vicechat kb add NAME PATH…).\n")
    else:
        indexed = [item for item in found if item["status"] == "indexed"]
        _vector_notes(model, any(item["vectors"] < item["passages"] for item in indexed))
    return 0


def run_remove(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.files import user_path

    paths = [user_path(path) for path in args.paths]

    async def work(core: VicechatCore) -> list[str]:
        return await core.knowledge.remove(args.name, paths)

    removed = context.run(work)
    for path in removed:
        write_stdout(f"removed {shown_title(path)}\n")
    if not removed:
        write_stdout("None of those files is in the collection; nothing changed.\n")
    return 0


def run_search(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> dict[str, Any]:
        found = await core.knowledge.retrieve([args.name], args.query, limit=args.limit)
        return found.to_json()

    found = context.run(work)
    if args.json:
        print_json(found)
        return 0
    how = "hybrid search (keywords and vectors)" if found["mode"] == "hybrid" else "keyword search"
    note = f" — {found['note']}" if found["note"] else ""
    write_stdout(f"{how}{note}\n")
    if not found["passages"]:
        write_stdout("No passages match.\n")
    for number, hit in enumerate(found["passages"], start=1):
        where = f"{hit['path']} · {hit['location']}"
        write_stdout(f"[{number}] {shown_title(where)}  (score {hit['score']:.3f})\n")
        passage = hit["passage"].replace("\n", "\n    ")
        write_stdout(f"    {passage}\n")
    return 0


def run_delete(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> None:
        await core.knowledge.delete(args.name)

    context.run(work)
    write_stdout(f"Deleted collection {shown_title(args.name)} (your files are untouched).\n")
    return 0


def run_attach(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> None:
        await core.knowledge.attach(args.document_id, args.name)

    context.run(work)
    write_stdout(f"Document {args.document_id}'s chats now draw on {shown_title(args.name)}.\n")
    return 0


def run_detach(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> None:
        await core.knowledge.detach(args.document_id, args.name)

    context.run(work)
    write_stdout(
        f"Document {args.document_id}'s chats no longer draw on {shown_title(args.name)}.\n"
    )
    return 0


def run_attached(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[str]:
        return await core.knowledge.attached(args.document_id)

    names = context.run(work)
    if args.json:
        print_json(names)
    elif not names:
        write_stdout(f"Document {args.document_id} has no collections attached.\n")
    else:
        write_stdout("".join(f"{shown_title(name)}\n" for name in names))
    return 0
