"""Known secrets never reach the database, an export, the history or the terminal.

Real servers on 127.0.0.1 echo the API key back (split across stream pieces, in research
queries, in an error); the stored rows, `history --json`, `export` and `ask`'s own output
are checked for it. `config show` hides passwords written in URLs.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.conftest import make_settings
from tests.servers.providers import OpenAIServer, Reply
from tests.servers.research import ScriptedModel, SearchIndex, search_server
from tests.test_cli_ask import vicechat
from vicechat_tui.core.jobs.host import CoreJobHost
from vicechat_tui.core.redaction import (
    MIN_SECRET_CHARS,
    REDACTED,
    Redactor,
    known_secrets,
    mask_url_passwords,
)
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import ProviderSettings, WebSearchSettings

KEY = "sk-live-ECHO-0123456789abcdef"
SEARCH_KEY = "brave-key-ZYXW-987654"
DB_PASSWORD = "db-pass-4242-xyz"


# -- the redaction function ------------------------------------------------------------------


def test_every_way_of_splitting_a_reply_is_redacted() -> None:
    redactor = Redactor.of([KEY])
    reply = f"Your key is {KEY}, and again:{KEY}. A prefix sk-live- is fine; so is sk"
    expected = f"Your key is {REDACTED}, and again:{REDACTED}. A prefix sk-live- is fine; so is sk"
    assert redactor.redact(reply) == expected
    for first in range(len(reply) + 1):
        for second in range(first, len(reply) + 1, 7):
            stream = redactor.stream()
            pieces = [reply[:first], reply[first:second], reply[second:]]
            shown = [stream.feed(piece) for piece in pieces]
            assert "".join(shown) + stream.finish() == expected
            assert not any(KEY[:12] in piece for piece in shown[:2]), (first, second)


def test_a_reply_cut_off_inside_the_key_does_not_give_most_of_it_away() -> None:
    stream = Redactor.of([KEY]).stream()
    assert stream.feed("key: " + KEY[:20]) == "key: "
    assert stream.finish() == REDACTED
    stream = Redactor.of([KEY]).stream()
    assert stream.feed("ends in sk") == "ends in "
    assert stream.finish() == "sk"  # too short to be a secret's worth


def test_short_secrets_are_not_searched_for_in_text() -> None:
    redactor = Redactor.of(["pass", "x" * MIN_SECRET_CHARS])
    assert redactor.redact("pass the salt") == "pass the salt"
    assert redactor.redact("x" * MIN_SECRET_CHARS) == REDACTED


def test_passwords_in_urls_are_masked_wherever_they_stand() -> None:
    text = "see postgresql://team:p@ss/w@db.local/x, http://u:pw@h:80/ and https://h/a@b"
    assert mask_url_passwords(text) == (
        "see postgresql://team:***@db.local/x, http://u:***@h:80/ and https://h/a@b"
    )


def test_known_secrets_come_from_the_config_the_environment_and_the_urls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOCAL_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-from-env-1234")
    settings = make_settings(
        providers={
            "local": ProviderSettings(
                kind="openai", api_key_env="LOCAL_KEY", base_url="http://u:prov%40pass1@h/v1"
            ),
            "file": ProviderSettings(kind="anthropic", api_key=SecretStr("sk-ant-in-file-5678")),
        },
        web_search=WebSearchSettings(kind="brave", api_key=SecretStr(SEARCH_KEY)),
        database_url=f"postgresql://team:{DB_PASSWORD}@127.0.0.1/v",
    )
    redactor = known_secrets(settings, "postgresql://x:other-db-pass-9@h/v")
    expected = {
        KEY,
        "sk-openai-from-env-1234",
        "prov%40pass1",
        "prov@pass1",
        "sk-ant-in-file-5678",
        SEARCH_KEY,
        DB_PASSWORD,
        "other-db-pass-9",
    }
    assert set(redactor.secrets) == expected


# -- a provider that echoes the key ------------------------------------------------------------


def cli_env(tmp_path: Path, config: str) -> dict[str, str]:
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "book.md").write_text("# Moon\n\n## Gravity\n\nIt pulls.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VICECHAT_")}
    env.update(
        VICECHAT_CONFIG=str(tmp_path / "config.toml"),
        VICECHAT_DATA_DIR=str(tmp_path / "data"),
        VICECHAT_DB=f"sqlite:///{tmp_path / 'chat.db'}",
        VICECHAT_USER="alice",
        ECHO_KEY=KEY,
    )
    assert vicechat(env, "import", str(tmp_path / "book.md")).returncode == 0
    return env


def stored_text(database: Path) -> str:
    """Every message and job row of the database, as one text."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT content, sources, steps, error FROM chat_message"
        ).fetchall()
        rows += connection.execute(
            "SELECT error, error_detail, step_label FROM chat_job"
        ).fetchall()
    return json.dumps(rows)


def test_an_echoed_key_is_stored_exported_and_printed_redacted(tmp_path: Path) -> None:
    echo = Reply(tokens=("Your key is sk-live-", "ECHO-0123", "456789abcdef", " — keep it."))
    with OpenAIServer(replies=[echo], api_key=KEY) as server:
        env = cli_env(
            tmp_path,
            f'[providers.local]\nkind = "openai"\nbase_url = "{server.url}"\n'
            'api_key_env = "ECHO_KEY"\ndefault_model = "test-model"\n',
        )
        asked = vicechat(env, "ask", "--doc", "1", "--section", "1", "What is my key?")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == f"Your key is {REDACTED} — keep it.\n"
    assert KEY not in asked.stderr
    assert KEY not in stored_text(tmp_path / "chat.db")
    history = vicechat(env, "history", "--doc", "1", "--section", "1", "--json")
    assert history.returncode == 0 and KEY not in history.stdout
    assert json.loads(history.stdout)[1]["content"] == f"Your key is {REDACTED} — keep it."
    for export in (("--format", "json"), ("--format", "markdown")):
        exported = vicechat(env, "export", "1", *export)
        assert exported.returncode == 0 and KEY not in exported.stdout
    assert f"Your key is {REDACTED}" in vicechat(env, "export", "1", "--format", "json").stdout


def test_a_secret_quoted_in_a_provider_error_is_not_stored_or_printed(tmp_path: Path) -> None:
    """The provider scrubs its own key; the engine also hides the others it knows."""
    failing = Reply.error(400, f"Bad request; also tried {SEARCH_KEY} and db {DB_PASSWORD}")
    with OpenAIServer(replies=[failing]) as server:
        env = cli_env(
            tmp_path,
            f'database_url = "postgresql://team:{DB_PASSWORD}@127.0.0.1:1/unused"\n'
            f'[providers.local]\nkind = "openai"\nbase_url = "{server.url}"\n'
            'default_model = "test-model"\nmax_retries = 0\n'
            f'[web_search]\nkind = "brave"\napi_key = "{SEARCH_KEY}"\n',
        )
        asked = vicechat(env, "ask", "--doc", "1", "--section", "1", "Hello?")
    assert asked.returncode == 3, asked.stderr
    assert "vicechat: error: " in asked.stderr and REDACTED in asked.stderr
    for secret in (SEARCH_KEY, DB_PASSWORD):
        assert secret not in asked.stderr
        assert secret not in stored_text(tmp_path / "chat.db")


async def a_section(core: VicechatCore) -> tuple[int, int]:
    """A new document with one section: their ids."""
    document = await core.documents.create("Moon")
    assert document.id is not None
    section = await core.sections.create(document.id, "Gravity")
    assert section.id is not None
    return document.id, section.id


async def test_research_never_sends_or_stores_an_echoed_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model echoing the key into its search queries: the search engine never sees it."""
    model = ScriptedModel(
        queries=[json.dumps([f"moon {KEY}"])],
        decisions=['{"more": false, "why": "enough"}'],
        answer=f"Done, {KEY}.",
    )
    monkeypatch.setenv("ECHO_KEY", KEY)
    with model.serve() as model_server, search_server(SearchIndex()) as search:
        settings = make_settings(
            providers={
                "local": ProviderSettings(
                    kind="openai",
                    base_url=f"{model_server.url}/v1",
                    default_model="scripted",
                    api_key_env="ECHO_KEY",
                    max_retries=0,
                )
            },
            default_provider="local",
            web_search=WebSearchSettings(kind="searxng", base_url=search.url),
        )
        database = tmp_path / "v.db"
        core = await open_core(settings, database_url=f"sqlite:///{database}")
        try:
            document_id, section_id = await a_section(core)
            job_id = await core.jobs.send(
                document_id, section_id, "Research it", overrides={"web_search": True}
            )
            state = await asyncio.wait_for(core.jobs.wait(job_id), 30)
        finally:
            await core.aclose()
    assert state.text == f"Done, {REDACTED}."
    assert any(REDACTED in step.label for step in state.steps)
    assert search.requests and not any(KEY in request.target for request in search.requests)
    assert KEY not in stored_text(database)


async def test_everything_a_job_stores_passes_through_the_redaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's one door to the database: content, steps, sources and error alike."""
    monkeypatch.setenv("ECHO_KEY", KEY)
    settings = make_settings(
        providers={"local": ProviderSettings(kind="openai", api_key_env="ECHO_KEY")}
    )
    database = tmp_path / "v.db"
    core = await open_core(settings, database_url=f"sqlite:///{database}")
    try:
        session = await core.chats.open_session(*await a_section(core))
        assert session.id is not None
        message = await core.chats.add_message(session.id, "assistant", "")
        assert message.id is not None
        host = CoreJobHost(core, lambda event: None)
        await host.update_message(
            message.id,
            content=f"a {KEY} b",
            steps=[{"id": "s1", "label": f"searching {KEY}", "payload": {"error": KEY}}],
            sources=[{"number": 1, "title": KEY, "url": f"https://h/?k={KEY}"}],
            error=f"failed: {KEY}",
        )
        stored = await core.chats.get_message(message.id)
    finally:
        await core.aclose()
    assert stored is not None and stored.content == f"a {REDACTED} b"
    assert KEY not in stored_text(database)


def test_config_show_hides_passwords_in_every_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vicechat_tui.cli.main import main

    (tmp_path / "config.toml").write_text(
        '[providers.local]\nkind = "openai"\n'
        'base_url = "http://proxy-user:proxy-pass-1234@127.0.0.1:8080/v1"\n'
        f'default_model = "model-{KEY}"\n'
        '[web_search]\nkind = "searxng"\nbase_url = "https://me:search-pass-5678@search.local"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    for secret in ("proxy-pass-1234", "search-pass-5678", KEY):
        assert secret not in out
    shown = json.loads(out)
    assert shown["providers"]["local"]["base_url"] == "http://proxy-user:***@127.0.0.1:8080/v1"
    assert shown["web_search"]["base_url"] == "https://me:***@search.local"
