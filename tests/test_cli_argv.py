"""Any command line ends in a result or a clear error, never an internal one (exit 70).

Hypothesis builds argv lists for every subcommand from its own options, ids of every size,
numbers that are not numbers, free text and bytes that are not UTF-8 (as Python hands them
over: lone surrogates), and runs the real `main` on a real SQLite file. Options that would
write or open files elsewhere (--db, --config, --output) are left out of the generated lines;
nothing can reach the network (no provider is configured).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_database_failures import command_paths, seed
from vicechat_tui.cli.main import build_parser, main

EXIT_USAGE = 2
EXIT_INTERNAL = 70
KEPT_AWAY = ("--db", "--config", "--output")
"""Options the generator never writes, nor a prefix argparse would expand to them."""


def subparser(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> argparse.ArgumentParser:
    for word in words:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) and word in action.choices:
                parser = action.choices[word]
                break
    return parser


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        option
        for action in parser._actions
        for option in action.option_strings
        if option not in KEPT_AWAY and option != "-o"
    )


def kept_away(token: str) -> bool:
    """True for tokens argparse could read as --db, --config or --output (or -o…)."""
    name = token.split("=", 1)[0]
    if token.startswith("-o") or (
        token.startswith("-") and not token.startswith("--") and "o" in token
    ):
        return True
    return name.startswith("--") and len(name) > 2 and any(o.startswith(name) for o in KEPT_AWAY)


def not_utf8(data: bytes) -> str:
    return os.fsdecode(data)


NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "1", "2147483647", "2147483648", "9223372036854775808", "1e400"]),
    st.sampled_from(["nan", "inf", "-inf", "-0", "0x10", "1_000", "١٢"]),
)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=30,
)
UNDECODABLE = st.binary(min_size=1, max_size=8).filter(lambda b: b"\x00" not in b).map(not_utf8)


def argv_for(words: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    options = option_strings(subparser(build_parser(), words))
    token = st.one_of(st.sampled_from(options or ["--json"]), NUMBERS, TEXT, UNDECODABLE)
    return st.lists(token, max_size=7).map(
        lambda tokens: [*words, *(t for t in tokens if not kept_away(t))]
    )


COMMANDS = sorted(command_paths(build_parser()))


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("argv") / "v.db"
    seed(path)
    return path


@pytest.fixture
def isolated(database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICECHAT_DB", str(database))
    monkeypatch.setenv("VICECHAT_USER", "alice")
    monkeypatch.chdir(tmp_path)  # relative paths in generated lines stay in here
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(argv)
    captured = capsys.readouterr()
    assert code != EXIT_INTERNAL, (argv, captured.err)
    assert "Traceback" not in captured.err, (argv, captured.err)
    if code != 0:
        assert captured.err.startswith("vicechat: error: "), (argv, captured.err)
        assert captured.err.count("\n") == 1, (argv, captured.err)
    return code


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(words) for words in COMMANDS])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_argv_ends_in_a_result_or_a_clear_error(
    words: tuple[str, ...],
    data: st.DataObject,
    isolated: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    check(data.draw(argv_for(words)), capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "9223372036854775808"],
        ["export", str(2**63 - 1)],
        ["export", "2147483648"],
        ["history", "--doc", "1", "--section", str(2**64)],
        ["ask", "--doc", str(2**63), "--section", "1", "hi"],
        ["reset", "--doc", "1", "--section", "99999999999999999999999999"],
        ["import", "--title", not_utf8(b"\xfe\xff"), "notes.md"],
        ["ask", "--doc", "1", "--section", "1", not_utf8(b"caf\xe9")],
        ["ask", "--doc", "1", "--section", "1", "--model", not_utf8(b"\xff"), "hi"],
    ],
)
def test_ids_too_large_and_text_that_is_not_utf8_are_usage_errors(
    argv: list[str], isolated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.md").write_text("## A\n", encoding="utf-8")
    assert check(argv, capsys) == EXIT_USAGE


def test_a_file_name_that_is_not_utf8_imports_under_a_readable_title(
    isolated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = not_utf8(b"notes-\xff")
    (tmp_path / f"{name}.md").write_text("## A\n\ntext\n", encoding="utf-8")
    main(["import", f"{name}.md"])
    out = capsys.readouterr().out
    assert out.startswith('Imported "notes-\ufffd" with 1 section as document:\n'), out
    document_id = out.splitlines()[-1]
    assert main(["export", document_id]) == 0
    assert capsys.readouterr().out.startswith("# notes-\ufffd\n")


def test_output_files_may_have_any_name(
    isolated: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = tmp_path / "own.db"  # the module's database is renamed at random by the argv test
    seed(own)
    monkeypatch.setenv("VICECHAT_DB", str(own))
    name = not_utf8(b"out-\xff.md")
    assert check(["export", "1", "-o", name], capsys) == 0
    assert (tmp_path / name).read_text(encoding="utf-8").startswith("# Plans\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "~0"],
        ["export", "1", "-o", "~no-such-user-here/out.md"],
        ["--config", "~no-such-user-here/config.toml", "list"],
    ],
)
def test_a_home_folder_that_does_not_exist_is_a_clear_error(
    argv: list[str], isolated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`~name` for a name with no home folder (found by the property test above)."""
    assert check(argv, capsys) != 0
