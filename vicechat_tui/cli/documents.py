"""`vicechat import`, `export` and `list`: documents in and out of the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id, readable
from vicechat_tui.cli.output import print_json, shown_title, to_json, write_output, write_stdout
from vicechat_tui.cli.publishing import (
    FORMAT_NAMES,
    add_publish_options,
    chosen_format,
    import_kind_of,
    run_converted_import,
    run_publish,
    say_imported,
)
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.files import user_path

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.services.sections import SectionNode

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    importer = add_command(
        subparsers,
        "import",
        help="create a document from a Markdown, Word, OpenDocument or HTML file, or restore "
        "a JSON export",
        description="Create a document from a Markdown file (or .docx, .odt, .html, converted "
        "to Markdown by pandoc): a lone '#' heading names the "
        "document (unless --title names it), the other headings become nested sections, text "
        "before the first one becomes 'Introduction'. A vicechat JSON export is restored "
        "exactly (sections, versions, chats, sources) as a new document. Prints the new "
        "document's id on the last line.",
    )
    importer.add_argument(
        "file",
        metavar="FILE",
        help="a .md (UTF-8), .txt, .docx, .odt or .html/.htm file, or a vicechat .json export",
    )
    importer.add_argument(
        "--title",
        help="name for the document, instead of the file's own title (its lone '#' heading, "
        "its metadata title, or the export's title); default: that title, else the file name",
    )
    importer.set_defaults(handler=run_import)

    exporter = add_command(
        subparsers,
        "export",
        help="write a document as Markdown, JSON (everything), Word, PDF, HTML, ODT, EPUB, "
        "or its references (BibTeX, CSL-JSON)",
    )
    exporter.add_argument("document_id", metavar="DOC_ID", type=positive_id)
    exporter.add_argument(
        "--format",
        choices=FORMAT_NAMES,
        help="default: from the -o file's extension, else markdown",
    )
    exporter.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_publish_options(exporter)
    exporter.set_defaults(handler=run_export)

    lister = add_command(subparsers, "list", help="list documents with their sections")
    lister.add_argument("--json", action="store_true", help="print JSON")
    lister.set_defaults(handler=run_list)


def read_markdown_file(path: Path) -> str:
    """The file's text, or an InvalidInputError that says what is wrong with it."""
    try:
        info = path.stat()
        if path.is_dir():
            raise InvalidInputError(f"{path} is a folder, not a Markdown file.")
        if not path.is_file():
            raise InvalidInputError(f"{path} is not a regular file.")
        if info.st_size > MAX_IMPORT_BYTES:
            raise InvalidInputError(
                f"{path} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file.") from None
    except OSError as error:
        raise InvalidInputError(f"{path} cannot be read: {error.strerror}.") from None
    if b"\0" in data:
        raise InvalidInputError(f"{path} is not a text file (it contains NUL bytes).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} is not UTF-8 text (invalid byte at offset {error.start})."
        ) from None
    if not text.strip():
        raise InvalidInputError(f"{path} is empty; there is nothing to import.")
    return text


def run_import(args: argparse.Namespace, context: CliContext) -> int:
    path = user_path(args.file)
    kind, data = import_kind_of(path)
    if kind != "markdown":
        return run_converted_import(args, context, path, kind, data)
    text = read_markdown_file(path)

    async def work(core: VicechatCore) -> tuple[int, str, int]:
        from vicechat_tui.core.transfer.markdown_store import import_markdown

        imported = await import_markdown(
            core, text, title=args.title, fallback_title=readable(path.stem or path.name)
        )
        assert imported.document.id is not None
        return imported.document.id, imported.document.title, imported.section_count

    say_imported(*context.run(work))
    return 0


def run_export(args: argparse.Namespace, context: CliContext) -> int:
    fmt = chosen_format(args)
    if fmt.kind != "exact":
        return run_publish(args, context, fmt)
    args.format = fmt.name

    async def work(core: VicechatCore) -> str:
        if args.format == "json":
            from vicechat_tui.core.transfer.json_export import export_document_json

            return to_json(await export_document_json(core, args.document_id))
        from vicechat_tui.core.transfer.markdown_store import export_markdown

        return await export_markdown(core, args.document_id)

    write_output(context.run(work), args.output)
    return 0


def _outline(nodes: list[SectionNode]) -> list[dict[str, Any]]:
    return [
        {"id": node.section.id, "title": node.section.title, "sections": _outline(node.children)}
        for node in nodes
    ]


def _tree_lines(sections: list[dict[str, Any]], depth: int) -> list[str]:
    lines = []
    for section in sections:
        lines.append(f"{'  ' * depth}- [{section['id']}] {shown_title(section['title'])}")
        lines.extend(_tree_lines(section["sections"], depth + 1))
    return lines


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[dict[str, Any]]:
        listed = []
        for document in await core.documents.list():
            assert document.id is not None
            tree = await core.sections.tree(document.id)
            listed.append({"id": document.id, "title": document.title, "sections": _outline(tree)})
        return listed

    documents = context.run(work)
    if args.json:
        print_json(documents)
        return 0
    if not documents:
        write_stdout("No documents yet; create one with: vicechat import FILE.md\n")
        return 0
    lines = []
    for document in documents:
        lines.append(f"[{document['id']}] {shown_title(document['title'])}")
        lines.extend(_tree_lines(document["sections"], 1))
    write_stdout("\n".join(lines) + "\n")
    return 0
