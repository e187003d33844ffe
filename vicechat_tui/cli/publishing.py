"""The format side of `vicechat export` and `vicechat import`: Word, PDF, HTML, ODT, EPUB,
the references alone, and Word/OpenDocument/HTML files coming in (through pandoc).

`documents.py` owns the commands; it hands over here when the format is not Markdown or
JSON. Binary formats go to a file (`-o`), or to standard output only when it is not a
terminal. Notes (markers that cite nothing, fonts missing) and a one-line summary go to
standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vicechat_tui.cli.context import CliContext, readable
from vicechat_tui.cli.output import shown_title, write_stdout
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.files import user_path
from vicechat_tui.core.text_safety import make_visible
from vicechat_tui.core.transfer.formats import (
    EXPORT_FORMATS,
    ExportFormat,
    ImportKind,
    export_format,
    format_for_path,
)

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.transfer.publish import Exported

FORMAT_NAMES = tuple(EXPORT_FORMATS)


def add_publish_options(exporter: argparse.ArgumentParser) -> None:
    """`--toc`, `--template` and `--citations` for the publishing formats."""
    exporter.add_argument("--toc", action="store_true", help="add a table of contents")
    exporter.add_argument(
        "--template",
        metavar="FILE",
        type=Path,
        help="pandoc template (HTML, EPUB, PDF's Typst) or reference document (.docx, .odt)",
    )
    exporter.add_argument(
        "--citations",
        choices=("numeric", "author-date"),
        default="numeric",
        help="how citations read: [1] (numeric, default) or (site, year) (author-date)",
    )


def chosen_format(args: argparse.Namespace) -> ExportFormat:
    """`--format`, else what the `-o` file's extension says, else Markdown."""
    if args.format is not None:
        return export_format(args.format)
    if args.output not in (None, "-"):
        suggested = format_for_path(args.output)
        if suggested is not None:
            return suggested
    return EXPORT_FORMATS["markdown"]


def _tell(line: str) -> None:
    """A line for the person on standard error (controls made visible: names come from
    outside)."""
    sys.stderr.write(make_visible(line) + "\n")
    sys.stderr.flush()


def _write_result(fmt: ExportFormat, exported: Exported, destination: str | None) -> None:
    if fmt.binary:
        if sys.stdout.isatty():
            raise InvalidInputError(
                f"{fmt.label} is a binary format; write it to a file with -o FILE{fmt.extension}."
            )
        sys.stdout.buffer.write(exported.data)
        sys.stdout.buffer.flush()
    else:
        write_stdout(exported.data.decode("utf-8"))


def run_publish(args: argparse.Namespace, context: CliContext, fmt: ExportFormat) -> int:
    """Export in a publishing or references format (pandoc; the bibliography)."""
    from vicechat_tui.core.transfer.publish import (
        ExportOptions,
        export_bytes,
        export_to_file,
    )

    options = ExportOptions(toc=args.toc, template=args.template, citations=args.citations)
    destination = None if args.output in (None, "-") else user_path(args.output)

    async def work(core: VicechatCore) -> Exported:
        if destination is None:
            return await export_bytes(core, args.document_id, fmt, options)
        return await export_to_file(core, args.document_id, fmt, destination, options)

    exported = context.run(work)
    if destination is None:
        _write_result(fmt, exported, args.output)
    for note in exported.notes:
        _tell(f"vicechat: note: {note}")
    if destination is not None:
        cited = exported.references
        plural = "reference" if cited == 1 else "references"
        _tell(f"Wrote {destination} ({fmt.label}, {cited} {plural}).")
    return 0


def import_kind_of(path: Path) -> tuple[ImportKind, bytes]:
    """What the file is (by its bytes, then its name) and its bytes."""
    from vicechat_tui.core.transfer.importing import read_import_file

    return read_import_file(path)


def run_converted_import(
    args: argparse.Namespace, context: CliContext, path: Path, kind: ImportKind, data: bytes
) -> int:
    """Import a Word, OpenDocument or HTML file through pandoc, or restore a JSON export."""

    async def work(core: VicechatCore) -> tuple[int, str, int]:
        if kind == "json":
            from vicechat_tui.core.transfer.json_import import import_json_export

            imported = await import_json_export(core, path, data, title=args.title)
        else:
            from vicechat_tui.core.transfer.importing import import_converted

            imported = await import_converted(
                core,
                path,
                data,
                kind,
                title=args.title,
                fallback_title=readable(path.stem or path.name),
            )
        assert imported.document.id is not None
        return imported.document.id, imported.document.title, imported.section_count

    say_imported(*context.run(work))
    return 0


def say_imported(document_id: int, title: str, count: int) -> None:
    """What every import prints: the title and section count, then the new id on its own line."""
    plural = "section" if count == 1 else "sections"
    write_stdout(
        f'Imported "{shown_title(title)}" with {count} {plural} as document:\n{document_id}\n'
    )
