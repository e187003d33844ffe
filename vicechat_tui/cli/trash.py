"""`vicechat trash list|restore|purge`: deleted documents and sections, until purged.

`vicechat` deletes into the trash (the UI's delete, and any command that deletes, call the
services' `delete`, which moves there); what stays longer than the trash's kept time is
purged on its own.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown_title, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.services.trash import TrashedItem


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    trash = add_command(
        subparsers,
        "trash",
        help="deleted documents and sections: list, restore, purge",
        description="Deleted documents and sections stay in the trash for 30 days, then go "
        "for good. IDs look like d12 (a document) or s34 (a section).",
    )
    actions = trash.add_subparsers(title="actions", dest="trash_action", metavar="ACTION")
    trash.set_defaults(handler=run_list, json=False)

    listing = add_command(actions, "list", help="what is in the trash (newest first)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    restore = add_command(actions, "restore", help="put a document or section back")
    restore.add_argument("item", metavar="ID", help="as 'trash list' shows it: d12 or s34")
    restore.set_defaults(handler=run_restore)

    purge = add_command(actions, "purge", help="delete what is in the trash for good")
    purge.add_argument("item", metavar="ID", nargs="?", help="only this one (default: all)")
    purge.add_argument(
        "--older-than",
        metavar="DAYS",
        type=positive_id,
        help="only what was deleted more than DAYS days ago",
    )
    purge.set_defaults(handler=run_purge)


def _as_json(item: TrashedItem) -> dict[str, Any]:
    return {
        "id": item.key,
        "kind": item.kind,
        "title": item.title,
        "document_id": item.document_id,
        "document_title": item.document_title,
        "sections": item.sections,
        "deleted_at": item.trashed_at.isoformat(),
        "deleted_by": item.trashed_by,
    }


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[dict[str, Any]]:
        return [_as_json(item) for item in await core.trash.list()]

    items = context.run(work)
    if args.json:
        print_json(items)
        return 0
    if not items:
        write_stdout("The trash is empty.\n")
        return 0
    lines = []
    for item in items:
        where = "" if item["kind"] == "document" else f" in {shown_title(item['document_title'])}"
        count = item["sections"] - (1 if item["kind"] == "section" else 0)
        taking = f", with {count} section{'s' if count != 1 else ''}" if count else ""
        when = item["deleted_at"][:16].replace("T", " ")
        lines.append(
            f"{item['id']:>7}  {item['kind']} {shown_title(item['title'])}{where}{taking} "
            f"— deleted {when} by {shown_title(item['deleted_by'])}"
        )
    write_stdout("\n".join(lines) + "\n")
    return 0


def run_restore(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.services.trash import parse_trash_key

    kind, item_id = parse_trash_key(args.item)

    async def work(core: VicechatCore) -> str:
        if kind == "document":
            return (await core.trash.restore_document(item_id)).title
        return (await core.trash.restore_section(item_id)).title

    title = context.run(work)
    write_stdout(f"Restored {kind} {item_id}: {shown_title(title)}.\n")
    return 0


def run_purge(args: argparse.Namespace, context: CliContext) -> int:
    from datetime import timedelta

    from vicechat_tui.core.services.trash import parse_trash_key

    if args.item is not None:
        kind, item_id = parse_trash_key(args.item)

        async def purge_one(core: VicechatCore) -> None:
            if kind == "document":
                await core.trash.purge_document(item_id)
            else:
                await core.trash.purge_section(item_id)

        context.run(purge_one)
        write_stdout(f"Deleted {kind} {item_id} for good.\n")
        return 0
    older_than = timedelta(days=args.older_than) if args.older_than else None

    async def purge_all(core: VicechatCore) -> int:
        return await core.trash.purge_all(older_than=older_than)

    count = context.run(purge_all)
    write_stdout(f"Deleted {count} item{'s' if count != 1 else ''} from the trash for good.\n")
    return 0
