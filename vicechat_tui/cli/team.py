"""`vicechat team init|add|remove|list`: set up PostgreSQL for a team, run with an admin URL.

See `core/team.py` for what each step grants, and the README's team recipe.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command
from vicechat_tui.cli.output import mask_url_password, print_json, write_stdout
from vicechat_tui.core.errors import InvalidInputError

if TYPE_CHECKING:
    from vicechat_tui.core.team import TeamAdmin

MAX_PASSWORD = 1000


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    team = add_command(
        subparsers,
        "team",
        help="set up a PostgreSQL database for a team (run with the admin's --db URL)",
        description="Team administration on PostgreSQL. Run with the admin's URL: a role "
        "that may create roles and owns the database. Each person then connects with their "
        "own role; row-level security shows them only their documents and those shared "
        "with them.",
    )
    actions = team.add_subparsers(title="actions", dest="team_action", metavar="ACTION")
    actions.required = True

    init = add_command(
        actions, "init", help="migrate as the admin, create the members' group, grant it"
    )
    _add_group(init)
    init.set_defaults(handler=run_init)

    add = add_command(
        actions,
        "add",
        allow_abbrev=False,  # `--password SECRET` must not pass for --password-env
        help="create a member's login role (password from stdin or --password-env)",
        description="Create NAME's login role in the team. The password is read from "
        "standard input (typed twice on a terminal), or from the environment variable named "
        "by --password-env; never from the command line. With --no-password the person "
        "logs in by peer or certificate authentication instead.",
    )
    add.add_argument("name", metavar="NAME", help="the person's role name (a-z, 0-9, _)")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-env", metavar="VAR", help="read the password from $VAR")
    how.add_argument("--no-password", action="store_true", help="set no password")
    _add_group(add)
    add.set_defaults(handler=run_add)

    remove = add_command(
        actions, "remove", help="take a member out of the team (their documents stay theirs)"
    )
    remove.add_argument("name", metavar="NAME")
    _add_group(remove)
    remove.set_defaults(handler=run_remove)

    lister = add_command(actions, "list", help="list the team's members")
    lister.add_argument("--json", action="store_true", help="print JSON")
    _add_group(lister)
    lister.set_defaults(handler=run_list)


def _add_group(parser: argparse.ArgumentParser) -> None:
    # core.team's DEFAULT_GROUP, written out: importing it here would load SQLAlchemy for --help
    parser.add_argument(
        "--group", metavar="ROLE", help="the members' group role (default: vicechat_members)"
    )


def _admin(args: argparse.Namespace, context: CliContext) -> TeamAdmin:
    from vicechat_tui.core.team import DEFAULT_GROUP, TeamAdmin

    return TeamAdmin(context.database_url(), group=args.group or DEFAULT_GROUP)


def read_password(args: argparse.Namespace) -> str | None:
    """The new member's password: $VAR, or standard input; None with --no-password."""
    if args.no_password:
        return None
    if args.password_env:
        password = os.environ.get(args.password_env, "")
        if not password:
            raise InvalidInputError(
                f"The environment variable {args.password_env} is not set or empty."
            )
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise InvalidInputError("The two passwords differ; nothing was changed.")
    else:
        password = sys.stdin.readline(MAX_PASSWORD + 2).rstrip("\r\n")
    if not password:
        raise InvalidInputError(
            "The password is empty: give one on standard input or with --password-env, or "
            "use --no-password for peer or certificate authentication."
        )
    if len(password) > MAX_PASSWORD or any(ord(char) < 32 for char in password):
        raise InvalidInputError(
            f"A password holds at most {MAX_PASSWORD} characters and no control characters."
        )
    return password


def run_init(args: argparse.Namespace, context: CliContext) -> int:
    done = _admin(args, context).init()
    write_stdout("".join(f"- {line}\n" for line in done))
    group = f" --group {args.group}" if args.group else ""
    write_stdout(f"Add people with: vicechat team add NAME{group}\n")
    return 0


def run_add(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.team import check_role_name

    admin = _admin(args, context)
    check_role_name(args.name)  # before asking for a password
    admin.require_admin()
    url = admin.add(args.name, read_password(args))
    write_stdout(
        f"{args.name} is in the team. They connect with their own URL:\n"
        f"  vicechat --db {mask_url_password(url)}\n"
        "(or VICECHAT_DB=… in their environment), with their password in PGPASSWORD or a "
        "line of ~/.pgpass (host:port:database:role:password) rather than in the URL.\n"
    )
    return 0


def run_remove(args: argparse.Namespace, context: CliContext) -> int:
    _admin(args, context).remove(args.name)
    write_stdout(
        f"{args.name} is out of the team: they can no longer connect to this database. "
        "Their documents stay, owned by them.\n"
    )
    return 0


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    members = _admin(args, context).members()
    if args.json:
        print_json([{"name": m.name, "can_log_in": m.can_log_in} for m in members])
        return 0
    if not members:
        write_stdout("Nobody is in the team yet: vicechat team add NAME\n")
        return 0
    lines = [m.name + ("" if m.can_log_in else " (cannot log in)") for m in members]
    write_stdout("\n".join(lines) + "\n")
    return 0
