"""`vicechat section …` and `vicechat doc …`: rename, move, set the status of and delete
sections and documents, as the tree does in the UI (through the same services, so the same
visibility and edit rights apply).

Deleting asks for `--yes`: a script must say it means it, and a person typing the command
gets told what would go (the section's subsections, versions and chat) before it goes.
What goes goes to the trash: `vicechat trash restore` brings it back for 30 days.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown_title, write_stdout
from vicechat_tui.core.errors import InvalidInputError

if TYPE_CHECKING:
    from vicechat_tui.core.models import Document, Section
    from vicechat_tui.core.runtime import VicechatCore

STATUSES = ("draft", "review", "final")


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _yes_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true", help="confirm the deletion")


def _group(
    subparsers: argparse._SubParsersAction[Any], name: str, help: str
) -> argparse._SubParsersAction[Any]:
    """A command whose first word after it is a required action (`section rename …`)."""
    actions = add_command(subparsers, name, help=help).add_subparsers(
        title="actions", dest="action", metavar="ACTION"
    )
    actions.required = True
    return actions


def _rename(
    actions: argparse._SubParsersAction[Any], what: str, id_name: str, handler: Any
) -> None:
    rename = add_command(actions, "rename", help=f"give a {what} a new title")
    rename.add_argument(id_name.lower(), metavar=id_name, type=positive_id)
    rename.add_argument("title", metavar="TITLE")
    _json_flag(rename)
    rename.set_defaults(handler=handler)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    actions = _group(subparsers, "section", "rename, move, set the status of or delete a section")
    _rename(actions, "section", "SECTION_ID", run_section_rename)

    status = add_command(actions, "status", help="set a section's status")
    status.add_argument("section_id", metavar="SECTION_ID", type=positive_id)
    status.add_argument("status", metavar="STATUS", choices=STATUSES, help="draft|review|final")
    _json_flag(status)
    status.set_defaults(handler=run_section_status)

    move = add_command(
        actions,
        "move",
        help="move a section among its siblings or under another section",
        description="Move SECTION_ID: one place --up or --down, --indent under the section "
        "above it, --outdent out of its parent; or to place --to N (1 is first) under "
        "--parent ID or at the document's --top level (without --to: last there).",
    )
    move.add_argument("section_id", metavar="SECTION_ID", type=positive_id)
    how = move.add_mutually_exclusive_group(required=True)
    how.add_argument("--up", action="store_true", help="one place up")
    how.add_argument("--down", action="store_true", help="one place down")
    how.add_argument("--indent", action="store_true", help="nest under the section above")
    how.add_argument("--outdent", action="store_true", help="out of its parent, after it")
    how.add_argument("--parent", type=positive_id, metavar="ID", help="under section ID")
    how.add_argument("--top", action="store_true", help="at the document's top level")
    how.add_argument("--to", type=positive_id, metavar="N", help="to place N among its siblings")
    move.add_argument(
        "--at", type=positive_id, metavar="N", help="with --parent or --top: place N (1 is first)"
    )
    _json_flag(move)
    move.set_defaults(handler=run_section_move)

    delete = add_command(
        actions, "delete", help="delete a section with its subsections, versions and chat"
    )
    delete.add_argument("section_id", metavar="SECTION_ID", type=positive_id)
    _yes_flag(delete)
    delete.set_defaults(handler=run_section_delete)

    doc_actions = _group(subparsers, "doc", "rename or delete a document")
    _rename(doc_actions, "document", "DOCUMENT_ID", run_doc_rename)

    doc_delete = add_command(doc_actions, "delete", help="delete a document and everything in it")
    doc_delete.add_argument("document_id", metavar="DOCUMENT_ID", type=positive_id)
    _yes_flag(doc_delete)
    doc_delete.set_defaults(handler=run_doc_delete)


def section_json(section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "document_id": section.document_id,
        "parent_id": section.parent_id,
        "position": section.position + 1,
        "title": section.title,
        "status": section.status,
        "version": section.version,
    }


def document_json(document: Document) -> dict[str, Any]:
    return {"id": document.id, "title": document.title, "owner": document.owner}


def _said_section(args: argparse.Namespace, section: Section, what: str) -> int:
    if args.json:
        print_json(section_json(section))
    else:
        write_stdout(f'Section {section.id} "{shown_title(section.title)}" {what}.\n')
    return 0


def run_section_rename(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> Section:
        return await core.sections.rename(args.section_id, args.title)

    return _said_section(args, context.run(work), "renamed")


def run_section_status(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> Section:
        return await core.sections.set_status(args.section_id, args.status)

    section = context.run(work)
    return _said_section(args, section, f"is now {section.status}")


async def _moved(core: VicechatCore, args: argparse.Namespace) -> Section:
    sections, section_id = core.sections, args.section_id
    if args.at is not None and args.parent is None and not args.top:
        raise InvalidInputError("--at goes with --parent ID or --top; use --to N alone.")
    if args.up or args.down:
        return await sections.shift(section_id, -1 if args.up else 1)
    if args.indent:
        return await sections.indent(section_id)
    if args.outdent:
        return await sections.outdent(section_id)
    position = None if args.at is None else args.at - 1
    if args.parent is not None:
        if args.parent == section_id:
            raise InvalidInputError("A section cannot be moved inside itself.")
        return await sections.move(section_id, parent_id=args.parent, position=position)
    if args.top:
        return await sections.move(section_id, parent_id=None, position=position)
    section = await sections.get(section_id)
    return await sections.move(section_id, parent_id=section.parent_id, position=args.to - 1)


def run_section_move(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> Section:
        return await _moved(core, args)

    section = context.run(work)
    where = f"under section {section.parent_id}" if section.parent_id else "at the top level"
    return _said_section(args, section, f"is now number {section.position + 1} {where}")


def _refuse_unconfirmed(what: str, consequences: str) -> None:
    raise InvalidInputError(f"Deleting {what} also deletes {consequences}; add --yes to do it.")


def run_section_delete(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> str:
        section = await core.sections.get(args.section_id)
        if not args.yes:
            children = await core.sections.children(section.document_id, args.section_id)
            nested = f"its {len(children)} subsections, " if children else ""
            _refuse_unconfirmed(
                f'section {args.section_id} "{section.title}"',
                f"{nested}its versions and its chat",
            )
        # to the trash (services.trash), like the UI's delete
        await core.sections.delete(args.section_id)
        return section.title

    title = context.run(work)
    write_stdout(
        f'Deleted section {args.section_id} "{shown_title(title)}" (to the trash: '
        f"'vicechat trash restore s{args.section_id}' brings it back).\n"
    )
    return 0


def run_doc_rename(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> Document:
        return await core.documents.rename(args.document_id, args.title)

    document = context.run(work)
    if args.json:
        print_json(document_json(document))
    else:
        write_stdout(f'Document {document.id} renamed "{shown_title(document.title)}".\n')
    return 0


def run_doc_delete(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> str:
        document = await core.documents.get(args.document_id)
        if not args.yes:
            _refuse_unconfirmed(
                f'document {args.document_id} "{document.title}"',
                "all its sections, their versions and chats",
            )
        # to the trash (services.trash), like the UI's delete
        await core.documents.delete(args.document_id)
        return document.title

    title = context.run(work)
    write_stdout(
        f'Deleted document {args.document_id} "{shown_title(title)}" (to the trash: '
        f"'vicechat trash restore d{args.document_id}' brings it back).\n"
    )
    return 0
