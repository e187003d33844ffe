"""No escape sequence from stored or fetched text reaches a terminal through any CLI command.

Every command the argparse parser knows is run as a real subprocess on a real
pseudo-terminal, with titles, section text, chat messages, model names, web page titles,
provider errors, file and database paths all carrying a payload of escape sequences (OSC 52
clipboard, OSC 0/2 title, OSC 8 link, CSI 2J, DCS, 8-bit CSI/OSC, BEL, bidi overrides).
The CLI writes no escape sequences of its own, so the terminal must receive none at all.
Piped output and `--json` stay exact (checked at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.escape_payload import PAYLOAD, VISIBLE_MARK
from tests.servers.base import LocalServer, Request, Response
from tests.servers.providers import OpenAIServer, Reply
from tests.servers.research import PAGES, ScriptedModel, SearchHit, SearchIndex, article
from tests.servers.research import search_server as make_search_server
from vicechat_tui.cli.main import build_parser

PATH_PAYLOAD = "dir\x1b]0;PWNED-DIR\x07\x9b2J\u202e"
"""For file and folder names (no '/' in it)."""
TITLE_PAYLOAD = "Doc \x1b]0;PWNED-DOC\x07 \u202egnp.exe\u200b"

FORBIDDEN = [b"\x1b", b"\x07", b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\xe2\x81\xa9"] + [
    bytes([0xC2, code]) for code in range(0x80, 0xA0)
]
"""ESC, BEL, U+202E, U+2066, U+2069, and every C1 control in UTF-8."""
BOLD, RESET = b"\x1b[1m", b"\x1b[0m"


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every runnable command of `parser`, as its words (`("db", "upgrade")`)."""
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                below = commands(subparser, (*prefix, name))
                found |= below or {(*prefix, name)}
    return found


def run_on_terminal(env: dict[str, str], *args: str) -> tuple[int, bytes]:
    """Run `vicechat ARGS` with stdin, stdout and stderr on a new pseudo-terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "vicechat_tui", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = bytearray()
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                process.kill()
                raise AssertionError(f"vicechat {args} wrote nothing for 60 s")
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
    finally:
        os.close(leader)
    return process.wait(timeout=60), bytes(output)


def strings(data: object) -> Iterator[str]:
    """Every string in JSON-like `data`, stripped of surrounding whitespace."""
    if isinstance(data, str):
        yield data.strip()
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings(item)


def run_piped(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vicechat_tui", *args],
        env=env,
        capture_output=True,
        timeout=60,
    )


@dataclass
class World:
    env: dict[str, str]
    home: Path
    markdown: Path
    other_markdown: Path


def _toml(value: str) -> str:
    return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes


def _page_site() -> LocalServer:
    page = article(PAYLOAD, *PAGES["/moon"].split("<p>")[1:2]).replace("</p></p>", "</p>")

    async def handle(request: Request, response: Response) -> None:
        await response.send(200, page, "text/html; charset=utf-8")

    return LocalServer(handle)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Servers, a config and a database whose every text carries the payload."""
    home = tmp_path_factory.mktemp("terminal") / f"home-{PATH_PAYLOAD}"
    home.mkdir()
    model = ScriptedModel(
        queries=[json.dumps([f"moon {PAYLOAD}"])],
        answer=f"Answer {PAYLOAD} [1].",
    )
    broken = OpenAIServer(replies=[Reply.error(500, f"Upstream broke: {PAYLOAD}")] * 3)
    site = _page_site()
    with model.serve() as model_server, broken, site:
        index = SearchIndex(default=[SearchHit(f"{site.url}/moon", PAYLOAD, "moon gravity")])
        with make_search_server(index) as search:
            config = home / "config.toml"
            config.write_text(
                'default_provider = "local"\n'
                "[providers.local]\n"
                'kind = "openai"\n'
                f'base_url = "{model_server.url.replace("://", "://user:hunter2-pass@")}/v1"\n'
                f"default_model = {_toml('model ' + PAYLOAD)}\n"
                "[providers.broken]\n"
                f'kind = "openai"\nbase_url = "{broken.url}"\nmax_retries = 0\n'
                'default_model = "test-model"\n'
                f'[web_search]\nkind = "searxng"\nbase_url = "{search.url}"\n'
                '[web_fetch]\nallow_private_hosts = ["127.0.0.1"]\n',
                encoding="utf-8",
            )
            markdown = home / f"book-{PATH_PAYLOAD}.md"
            markdown.write_text(
                f"# {TITLE_PAYLOAD}\n\nIntro {PAYLOAD}\n\n## Section {PAYLOAD}\n\nBody {PAYLOAD}\n",
                encoding="utf-8",
            )
            other = home / "other.md"
            other.write_text(f"# Other {PAYLOAD}\n\n## Part\n\nText.\n", encoding="utf-8")
            env = dict(os.environ)
            for name in list(env):
                if name.startswith("VICECHAT_") or name.endswith("_API_KEY"):
                    del env[name]
            env.update(
                VICECHAT_CONFIG=str(config),
                VICECHAT_DATA_DIR=str(home / "data"),
                VICECHAT_DB=f"sqlite:///{home / 'chat.db'}",
                VICECHAT_USER="alice",
            )
            imported = run_piped(env, "import", str(markdown))
            assert imported.returncode == 0, imported.stderr
            assert imported.stdout.strip().endswith(b"1")
            yield World(env, home, markdown, other)


TARGET = ("--doc", "1", "--section", "2")
ANY = -1
"""Any exit code but a usage error (2) or an internal error (70): e.g. team commands on SQLite."""
INVOCATIONS: dict[tuple[str, ...], list[tuple[tuple[str, ...], bool, int]]] = {
    # command: [(arguments, whether the payload must show (made visible), exit code)]
    ("ask",): [
        (("ask", *TARGET, "--web", "What pulls?"), True, 0),
        (("ask", *TARGET, "--web", "--json", "What pulls?"), False, 0),
        (("ask", *TARGET, "--provider", "broken", "Again?"), True, 3),
    ],
    ("history",): [(("history", *TARGET), True, 0), (("history", *TARGET, "--json"), False, 0)],
    ("list",): [(("list",), True, 0), (("list", "--json"), False, 0)],
    ("export",): [
        (("export", "1"), True, 0),
        (("export", "1", "--format", "json"), False, 0),
    ],
    ("import",): [(("import", "{other}"), True, 0)],
    ("search",): [(("search", "Body"), True, 0), (("search", "Answer", "--json"), False, 0)],
    ("share",): [
        (("share", "1", "bob"), False, ANY),
        (("share", "1", f"eve{PAYLOAD}"), False, ANY),
    ],
    ("shares",): [(("shares", "1"), False, ANY), (("shares", "1", "--json"), False, ANY)],
    ("unshare",): [(("unshare", "1", "bob"), False, ANY)],
    ("trash", "list"): [(("trash", "list"), False, 0), (("trash", "list", "--json"), False, 0)],
    ("trash", "restore"): [(("trash", "restore", f"s{PAYLOAD}"), False, 1)],
    ("trash", "purge"): [(("trash", "purge", "--older-than", "30"), False, 0)],
    ("team", "init"): [(("team", "init"), False, ANY)],
    ("team", "add"): [(("team", "add", "carol", "--no-password"), False, ANY)],
    ("team", "list"): [(("team", "list"), False, ANY), (("team", "list", "--json"), False, ANY)],
    ("team", "remove"): [(("team", "remove", "carol"), False, ANY)],
    ("config", "path"): [(("config", "path"), False, 0)],
    ("config", "check"): [(("config", "check"), False, 0)],
    ("config", "show"): [(("config", "show"), False, 0)],
    ("db", "upgrade"): [(("db", "upgrade"), False, 0)],
    ("db", "current"): [(("db", "current"), False, 0)],
    ("db", "reindex"): [(("db", "reindex"), False, 0)],
    ("kb", "create"): [
        (("kb", "create", "notes"), False, 0),
        (("kb", "create", PAYLOAD), False, 1),
    ],
    ("kb", "add"): [(("kb", "add", "notes", "{other}", "{home}"), False, 0)],
    ("kb", "list"): [(("kb", "list"), False, 0), (("kb", "list", "--json"), False, 0)],
    ("kb", "files"): [(("kb", "files", "notes"), False, 0)],
    ("kb", "search"): [
        (("kb", "search", "notes", "Body"), True, 0),
        (("kb", "search", "notes", "Body", "--json"), False, 0),
    ],
    ("kb", "attach"): [(("kb", "attach", "notes", "1"), False, 0)],
    ("kb", "attached"): [(("kb", "attached", "1"), False, 0)],
    ("kb", "detach"): [(("kb", "detach", "notes", "1"), False, 0)],
    ("kb", "remove"): [(("kb", "remove", "notes", "{other}"), False, 0)],
    ("kb", "delete"): [(("kb", "delete", "notes"), False, 0)],
    ("assistant", "create"): [
        (("assistant", "create", "evil", "--description", PAYLOAD, "--system", PAYLOAD), False, 0),
        (("assistant", "create", f"bad{PAYLOAD}"), False, 1),
    ],
    ("assistant", "list"): [
        (("assistant", "list"), True, 0),
        (("assistant", "list", "--json"), False, 0),
    ],
    ("assistant", "show"): [
        (("assistant", "show", "evil"), True, 0),
        (("assistant", "show", f"ghost{PAYLOAD}"), False, 1),  # named as a Python repr
    ],
    ("assistant", "edit"): [(("assistant", "edit", "evil", "--model", PAYLOAD), False, 0)],
    ("assistant", "delete"): [(("assistant", "delete", "evil"), False, 0)],
    ("reset",): [(("reset", *TARGET), False, 0)],
    ("versions",): [(("versions", *TARGET), False, 0), (("versions", *TARGET, "--json"), False, 0)],
    ("diff",): [(("diff", *TARGET), True, 0), (("diff", *TARGET, "--json"), False, 0)],
    ("section", "rename"): [
        (("section", "rename", "2", f"Renamed {PAYLOAD}"), True, 0),
        (("section", "rename", "2", f"Again {PAYLOAD}", "--json"), False, 0),
    ],
    ("section", "status"): [(("section", "status", "2", "review"), True, 0)],
    ("section", "move"): [(("section", "move", "2", "--up"), True, 0)],
    ("doc", "rename"): [(("doc", "rename", "1", f"Doc {PAYLOAD}"), True, 0)],
    ("section", "delete"): [
        (("section", "delete", "2"), False, 1),
        (("section", "delete", "2", "--yes"), False, 0),
    ],
    ("doc", "delete"): [
        (("doc", "delete", "1"), True, 1),
        (("doc", "delete", "1", "--yes"), True, 0),
    ],
}
"""Run in this order: `ask` stores the messages that `history` and `export` show."""


def test_every_command_is_walked() -> None:
    missing = commands(build_parser()) - set(INVOCATIONS)
    assert not missing, f"add {sorted(missing)} to INVOCATIONS"


def test_no_command_lets_an_escape_sequence_reach_the_terminal(world: World) -> None:
    shown: dict[str, str] = {}
    known = commands(build_parser())
    for command, invocations in INVOCATIONS.items():
        if command not in known:
            continue  # gone (or not there yet): test_every_command_is_walked guards the rest
        for arguments, payload_shows, expected_code in invocations:
            argv = [
                argument.format(other=world.other_markdown, home=world.home)
                for argument in arguments
            ]
            code, output = run_on_terminal(world.env, *argv)
            if arguments[0] == "search":  # its matches in bold: the only sequence allowed
                output = output.replace(BOLD, b"").replace(RESET, b"")
            text = output.decode("utf-8", "replace")
            label = " ".join(arguments)
            shown[label] = text
            leaked = [sequence for sequence in FORBIDDEN if sequence in output]
            assert not leaked, f"vicechat {label} let {leaked} through:\n{text!r}"
            assert "Traceback" not in text, text
            if payload_shows:
                assert VISIBLE_MARK in text, f"vicechat {label} did not show the payload: {text!r}"
            if expected_code == ANY:
                assert code not in (2, 70), f"vicechat {label} exited {code}: {text!r}"
            else:
                assert code == expected_code, f"vicechat {label} exited {code}: {text!r}"
    # The paths that are easy to get wrong were really exercised:
    asked = shown[f"ask {' '.join(TARGET)} --web What pulls?"]
    assert "Sources:" in asked and "searching" in asked
    assert "vicechat: error: " in shown[f"ask {' '.join(TARGET)} --provider broken Again?"]
    assert "\\u202egnp.exe\\u200b" in shown["list"]  # a title's bidi and zero-width shown
    assert "hunter2-pass" not in shown["config show"]
    assert "\\u001b]0;PWNED-DIR" in shown["config path"] or "␛]0;PWNED-DIR" in shown["config path"]


def test_piped_output_and_json_are_exact(tmp_path: Path) -> None:
    """What goes to a pipe or a file is the stored text, byte for byte; JSON decodes to it."""
    env = dict(os.environ)
    env.update(
        VICECHAT_CONFIG=str(tmp_path / "config.toml"),
        VICECHAT_DATA_DIR=str(tmp_path / "data"),
        VICECHAT_DB=f"sqlite:///{tmp_path / 'v.db'}",
        VICECHAT_USER="alice",
    )
    source = tmp_path / "book.md"
    source.write_text(f"# Book\n\n## Part {PAYLOAD}\n\nBody {PAYLOAD}\n", encoding="utf-8")
    assert run_piped(env, "import", str(source)).returncode == 0
    exported = run_piped(env, "export", "1").stdout.decode()
    assert f"## Part {PAYLOAD}\n\nBody {PAYLOAD}\n" in exported
    listed = run_piped(env, "list").stdout.decode()
    assert f"- [1] Part {PAYLOAD}\n" in listed
    as_json = run_piped(env, "list", "--json").stdout
    assert not any(sequence in as_json for sequence in FORBIDDEN)
    assert json.loads(as_json)[0]["sections"][0]["title"] == f"Part {PAYLOAD}"
    exported_json = run_piped(env, "export", "1", "--format", "json").stdout
    assert not any(sequence in exported_json for sequence in FORBIDDEN)
    assert f"Body {PAYLOAD}" in set(strings(json.loads(exported_json)))
    written = tmp_path / "out.md"
    assert run_piped(env, "export", "1", "-o", str(written)).returncode == 0
    assert written.read_text(encoding="utf-8") == exported
