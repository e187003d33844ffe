"""Team administration on PostgreSQL: a group role for members, their login roles, grants.

The team lead runs these with an *admin* URL: a role that may create roles (CREATEROLE) and
owns the database. That role runs the migrations, so it owns every table; members get only
what they need, through the group role:

- CONNECT on the database (taken from PUBLIC, so someone removed from the group cannot even
  connect), USAGE on the schema (CREATE taken from PUBLIC);
- SELECT, INSERT, UPDATE, DELETE on the tables that hold content — UPDATE of `document` only
  of its title, description, tags, time and trash marks (never its owner), of
  `document_share` only of its level — and USAGE on their id sequences; SELECT on `alembic_version`.

Members own no table, so they can neither ALTER one nor switch its row-level security off;
the policies (migration 0004) decide which rows each of them sees. A table without FORCEd
row-level security and a policy for every command is never granted: `init` refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from vicechat_tui.core import models  # noqa: F401  (registers the tables)
from vicechat_tui.core.database import sync_url, upgrade_to_head
from vicechat_tui.core.errors import InvalidInputError, VicechatError

DEFAULT_GROUP = "vicechat_members"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED_NAMES = frozenset(
    {"public", "postgres", "none", "current_user", "session_user", "current_role", "user"}
)
COLUMN_UPDATES = {
    "document": ("title", "description", "tags", "updated_at", "trashed_at", "trashed_by"),
    "document_share": ("level",),
}
"""Tables members may update only some columns of (the rest: every column)."""
COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")


class TeamError(VicechatError):
    """Team administration that cannot be done as asked."""

    title = "Team setup"


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    can_log_in: bool


def content_tables() -> list[str]:
    """Every table of the models: each holds user content and must be protected."""
    return sorted(SQLModel.metadata.tables)


def check_role_name(name: str) -> str:
    """`name` if it can be a member's role, else InvalidInputError saying what would do."""
    if not ROLE_NAME.fullmatch(name) or name in RESERVED_NAMES or name.startswith("pg_"):
        raise InvalidInputError(
            f"{name!r} cannot be a member's name: use lower-case letters, digits and _, "
            "starting with a letter (at most 63), not a name PostgreSQL reserves."
        )
    return name


def _quoted(name: str) -> str:
    """An identifier already checked by `check_role_name` (or the group's name)."""
    check_role_name(name)
    return f'"{name}"'


def unprotected(connection: Connection, tables: list[str]) -> list[str]:
    """The tables (of `tables`) without row-level security enabled and FORCEd.

    (With it on, a command no policy allows is refused, so such a table is closed, not open.)
    """
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
            "AND c.relrowsecurity AND c.relforcerowsecurity"
        )
    ).scalars()
    protected = set(rows)
    return [table for table in tables if table not in protected]


def _server_said(error: DBAPIError) -> str:
    """The server's own sentence (an admin needs "must be owner of table x" as it is)."""
    diagnostic = getattr(error.orig, "diag", None)
    said = getattr(diagnostic, "message_primary", None) or str(error.orig).strip()
    first = said.splitlines()[0] if said else type(error.orig).__name__
    return f"The database refused: {first}."


class TeamAdmin:
    """`vicechat team …` against the database at `url`, connected as its admin role."""

    def __init__(self, url: str, *, group: str = DEFAULT_GROUP) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise TeamError(
                "Team mode needs a PostgreSQL database: give the admin's URL with --db "
                "postgresql://ADMIN@HOST/DATABASE (a SQLite file belongs to one person)."
            )
        self.url = url
        self.group = check_role_name(group)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        engine = create_engine(sync_url(self.url))
        try:
            with engine.begin() as connection:
                yield connection
        except DBAPIError as error:
            raise TeamError(_server_said(error), detail=repr(error.orig)) from None
        finally:
            engine.dispose()

    def _require_admin(self, connection: Connection) -> str:
        row = connection.execute(
            text(
                "SELECT current_user, rolcreaterole OR rolsuper FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).one()
        if not row[1]:
            raise TeamError(
                f"The role {row[0]} cannot create roles: run team commands with the admin's "
                "URL (a role with CREATEROLE that owns the database; see the README)."
            )
        return str(row[0])

    def require_admin(self) -> str:
        """The admin role's name; TeamError when it cannot create roles."""
        with self._connection() as connection:
            return self._require_admin(connection)

    def _is_member(self, connection: Connection, name: str) -> bool:
        found = connection.execute(
            text(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                "JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = :name "
                "AND g.rolname = :group"
            ),
            {"name": name, "group": self.group},
        )
        return found.first() is not None

    def _role_exists(self, connection: Connection, name: str) -> bool:
        found = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
        )
        return found.first() is not None

    def _set_up_here(self, connection: Connection) -> bool:
        """Whether `init` ran on this database (the group role is cluster-wide; its grant
        to connect here is not)."""
        if not self._role_exists(connection, self.group):
            return False
        query = text(
            "SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a "
            "JOIN pg_roles r ON r.oid = a.grantee WHERE d.datname = current_database() "
            "AND r.rolname = :group AND a.privilege_type = 'CONNECT')"
        )
        return bool(connection.execute(query, {"group": self.group}).scalar_one())

    # -- init --------------------------------------------------------------------------------

    def init(self) -> list[str]:
        """Migrate as the admin, create the group, grant it what members need; idempotent.

        Returns what was done, in words. Run it again after upgrading vicechat.
        """
        with self._connection() as connection:
            admin = self._require_admin(connection)
        upgrade_to_head(self.url)
        tables = content_tables()
        group = _quoted(self.group)
        done = [f"schema migrated to the latest revision, owned by {admin}"]
        with self._connection() as connection:
            missing = unprotected(connection, tables)
            if missing:
                raise TeamError(
                    "Refusing to give members access: no row-level security on "
                    f"{', '.join(missing)}. Upgrade vicechat and run 'vicechat team init' again."
                )
            if not self._role_exists(connection, self.group):
                connection.execute(text(f"CREATE ROLE {group} NOLOGIN"))
                done.append(f"group role {self.group} created")
            database = connection.execute(text("SELECT current_database()")).scalar_one()
            quoted_db = '"' + str(database).replace('"', '""') + '"'
            for statement in (
                f"REVOKE ALL ON DATABASE {quoted_db} FROM PUBLIC",
                f"GRANT CONNECT ON DATABASE {quoted_db} TO {group}",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                f"GRANT USAGE ON SCHEMA public TO {group}",
                f"REVOKE ALL ON alembic_version FROM {group}",
                f"GRANT SELECT ON alembic_version TO {group}",
            ):
                connection.execute(text(statement))
            for table in tables:
                connection.execute(text(f"REVOKE ALL ON {table} FROM {group}"))
                columns = COLUMN_UPDATES.get(table)
                if columns is None:
                    connection.execute(text(f"GRANT {', '.join(COMMANDS)} ON {table} TO {group}"))
                else:
                    connection.execute(text(f"GRANT SELECT, INSERT, DELETE ON {table} TO {group}"))
                    connection.execute(
                        text(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {group}")
                    )
                if "id" in SQLModel.metadata.tables[table].c:
                    sequence = connection.execute(
                        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
                    ).scalar_one()
                    if sequence is not None:
                        connection.execute(text(f"GRANT USAGE ON SEQUENCE {sequence} TO {group}"))
            done.append(f"{self.group} may use the {len(tables)} tables, row by row as allowed")
        return done

    # -- members -----------------------------------------------------------------------------

    def add(self, name: str, password: str | None) -> str:
        """Create `name`'s login role in the group (or put an existing role back in it).

        The password is hashed here (SCRAM-SHA-256) before it is sent, so it never reaches
        the server's logs in clear. Returns the URL the person connects with (no password).
        """
        check_role_name(name)
        if name == self.group:
            raise InvalidInputError(f"{name} is the team's group role, not a person.")
        with self._connection() as connection:
            self._require_admin(connection)
            if not self._set_up_here(connection):
                raise TeamError("The team is not set up here yet: run 'vicechat team init' first.")
            if self._is_member(connection, name):
                raise InvalidInputError(f"{name} is already in the team.")
            role = _quoted(name)
            secret = self._hashed(connection, name, password) if password else None
            if self._role_exists(connection, name):
                connection.execute(text(f"GRANT {_quoted(self.group)} TO {role}"))
                connection.execute(text(f"ALTER ROLE {role} LOGIN"))
            else:
                connection.execute(
                    text(
                        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                        f"NOREPLICATION NOBYPASSRLS INHERIT IN ROLE {_quoted(self.group)}"
                    )
                )
            if secret is not None:
                connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD '{secret}'")
        return self.member_url(name)

    @staticmethod
    def _hashed(connection: Connection, name: str, password: str) -> str:
        raw = connection.connection.dbapi_connection
        pgconn = getattr(raw, "pgconn", None)
        if pgconn is None:  # not psycopg: no client-side hashing available
            raise TeamError("Setting a password needs the psycopg driver.")
        verifier = pgconn.encrypt_password(
            password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256"
        ).decode("ascii")
        if "'" in verifier or "\\" in verifier:  # a SCRAM verifier is base64 and `$:`
            raise TeamError("The password could not be hashed.")
        return str(verifier)

    def member_url(self, name: str) -> str:
        """How `name` connects: the admin URL with their role and without any password."""
        parsed = make_url(self.url).set(username=name, password=None)
        return parsed.render_as_string(hide_password=False)

    def remove(self, name: str) -> None:
        """Take `name` out of the group: no more access; their documents stay theirs."""
        check_role_name(name)
        with self._connection() as connection:
            self._require_admin(connection)
            if not self._is_member(connection, name):
                raise InvalidInputError(f"{name} is not in the team.")
            connection.execute(text(f"REVOKE {_quoted(self.group)} FROM {_quoted(name)}"))

    def members(self) -> list[Member]:
        """The group's members, by name."""
        with self._connection() as connection:
            rows = connection.execute(
                text(
                    "SELECT r.rolname, r.rolcanlogin FROM pg_auth_members m "
                    "JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid "
                    "WHERE g.rolname = :group ORDER BY r.rolname"
                ),
                {"group": self.group},
            ).all()
        return [Member(str(name), bool(login)) for name, login in rows]
