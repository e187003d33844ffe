"""`vicechat --version/--help`, `config path/show`, bad config files, start-up and the TUI hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from vicechat_tui import __version__
from vicechat_tui.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert __version__ == "0.1.0"
    assert run(capsys, "--version") == (0, "vicechat 0.1.0\n", "")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("import", "export", "list", "history", "reset", "config", "db"):
        assert f"    {command} " in out
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0 and "--format {markdown,json,docx,odt,pdf,html,epub,bibtex,csl-json}" in out


def test_cli_start_up_imports_nothing_heavy() -> None:
    probe = (
        "import sys, vicechat_tui.cli.main; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'textual', 'httpx', 'pydantic', "
        "'alembic', 'asyncio') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_core_transfer_never_imports_textual() -> None:
    probe = (
        "import sys, vicechat_tui.core.transfer.markdown_store, "
        "vicechat_tui.core.transfer.json_export; print('textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_config_path_follows_option_then_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "config", "path") == (0, f"{tmp_path / 'config.toml'}\n", "")
    chosen = tmp_path / "elsewhere.toml"
    assert run(capsys, "--config", str(chosen), "config", "path")[1] == f"{chosen}\n"
    assert run(capsys, "config", "path", "--config", str(chosen))[1] == f"{chosen}\n"


def test_config_show_masks_every_secret(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(
        'user = "alice"\n'
        'database_url = "postgresql://team:db-pass-123@127.0.0.1:5432/vicechat"\n'
        "[providers.local]\n"
        'kind = "openai"\nbase_url = "http://127.0.0.1:8080/v1"\n'
        'api_key = "sk-file-secret-456"\napi_key_env = "LOCAL_KEY"\n'
        '[web_search]\nkind = "brave"\napi_key = "brave-secret-789"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LOCAL_KEY", "sk-env-secret-000")
    monkeypatch.setenv("VICECHAT_PROVIDERS__OTHER__KIND", "anthropic")
    monkeypatch.setenv("VICECHAT_PROVIDERS__OTHER__API_KEY", "sk-ant-env-111")
    code, out, err = run(capsys, "config", "show")
    assert code == 0
    assert err.startswith("vicechat: note: The 'user' setting (alice) is ignored on PostgreSQL")
    for secret in ("db-pass-123", "sk-file-secret-456", "sk-env-secret-000", "brave-secret-789"):
        assert secret not in out and secret not in err
    assert "sk-ant-env-111" not in out
    shown = json.loads(out)
    assert shown["user"] == "alice"
    assert shown["providers"]["local"]["api_key_env"] == "LOCAL_KEY"
    assert set(shown["providers"]["local"]["api_key"]) == {"*"}
    assert shown["database_url"] == "postgresql://team:***@127.0.0.1:5432/vicechat"


def test_config_show_reports_the_database_in_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = json.loads(run(capsys, "config", "show")[1])["database_url"]
    assert default == f"sqlite:///{tmp_path / 'data' / 'vicechat.db'}"
    monkeypatch.setenv("VICECHAT_DB", str(tmp_path / "env.db"))
    assert json.loads(run(capsys, "config", "show")[1])["database_url"].endswith("/env.db")
    option = json.loads(run(capsys, "--db", str(tmp_path / "opt.db"), "config", "show")[1])
    assert option["database_url"].endswith("/opt.db")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("colour = 'red'\n", ["colour", "unknown key"]),
        ("[jobs]\nmax_concurrent = 0\n", ["jobs.max_concurrent", "greater than or equal to 1"]),
        ("[ui\ntheme = 1\n", ["not valid TOML"]),
        ("colour = 1\nshade = 2\n", ["colour: unknown key", "shade: unknown key"]),
    ],
)
def test_bad_config_names_file_key_and_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    for argv in (["config", "show"], ["list"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == ""
        assert err.startswith(f"vicechat: error: {path}: ")
        assert err.count("\n") == 1 and "Traceback" not in err
        for fragment in fragments:
            assert fragment in err
    assert not (tmp_path / "data" / "vicechat.db").exists()


def test_explicit_config_file_must_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.toml"
    code, _, err = run(capsys, "--config", str(missing), "list")
    assert (code, err) == (1, f"vicechat: error: {missing}: config file not found\n")


def test_no_command_launches_the_tui(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, Any]] = []

    def run_app(settings: Any, database_url: str | None) -> int:
        calls.append((settings, database_url))
        return 0

    fake = types.ModuleType("vicechat_tui.app")
    fake.run_app = run_app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vicechat_tui.app", fake)
    (tmp_path / "config.toml").write_text('user = "carol"\n', encoding="utf-8")
    assert run(capsys, "--db", str(tmp_path / "x.db")) == (0, "", "")
    # the app loads (and validates) the settings itself, after its first frame
    assert calls[0] == (None, str(tmp_path / "x.db"))
    custom = tmp_path / "custom.toml"
    custom.write_text('user = "dave"\n', encoding="utf-8")
    assert run(capsys, "--config", str(custom))[0] == 0
    assert calls[1] == (None, None)
    assert os.environ["VICECHAT_CONFIG"] == str(custom)  # the app reads the same file


def test_no_command_without_the_tui_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "vicechat_tui.app", None)
    code, out, err = run(capsys)
    assert (code, out) == (1, "")
    assert err.startswith("vicechat: error: the terminal UI cannot start")
    assert err.count("\n") == 1
