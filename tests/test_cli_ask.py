"""`vicechat ask`, run as a real subprocess against real local model servers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.providers import (
    AnthropicServer,
    FakeProviderServer,
    OllamaServer,
    OpenAIServer,
    Reply,
)


def vicechat(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vicechat_tui", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_vicechat(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vicechat_tui", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def configure(tmp_path: Path, server: FakeProviderServer) -> dict[str, str]:
    (tmp_path / "config.toml").write_text(
        'default_provider = "local"\n[providers.local]\n'
        f'kind = "{server.kind}"\nbase_url = "{server.url}"\ndefault_model = "test-model"\n'
        "retry_backoff = 0.01\nread_timeout = 5\n",
        encoding="utf-8",
    )
    (tmp_path / "book.md").write_text("# Moon\n\n## Gravity\n\nIt pulls.\n", encoding="utf-8")
    env = dict(os.environ)
    env.update(
        VICECHAT_CONFIG=str(tmp_path / "config.toml"),
        VICECHAT_DATA_DIR=str(tmp_path / "data"),
        VICECHAT_DB=f"sqlite:///{tmp_path / 'chat.db'}",
    )
    assert vicechat(env, "import", str(tmp_path / "book.md")).stdout.strip().endswith("1")
    return env


def history(env: dict[str, str]) -> list[dict[str, object]]:
    result = vicechat(env, "history", "--doc", "1", "--section", "1", "--json")
    assert result.returncode == 0, result.stderr
    messages: list[dict[str, object]] = json.loads(result.stdout)
    return messages


@pytest.fixture
def openai() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


@pytest.mark.parametrize("server_class", [OpenAIServer, AnthropicServer, OllamaServer])
def test_ask_streams_from_every_protocol(
    tmp_path: Path, server_class: type[FakeProviderServer]
) -> None:
    with server_class(replies=[Reply(tokens=("Gravity ", "is ", "1.62 m/s²."))]) as server:
        env = configure(tmp_path, server)
        result = vicechat(
            env, "ask", "--doc", "1", "--section", "1", "--temperature", "0.1", "How strong is it?"
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Gravity is 1.62 m/s².\n"
    assert "writing answer" in result.stderr
    messages = history(env)
    assert [(m["role"], m["content"], m["state"]) for m in messages] == [
        ("user", "How strong is it?", "complete"),
        ("assistant", "Gravity is 1.62 m/s².", "complete"),
    ]
    assert all({"sources", "created_at"} <= set(m) for m in messages)


def test_ask_reads_stdin_and_overrides_apply_to_this_call_only(
    tmp_path: Path, openai: OpenAIServer
) -> None:
    env = configure(tmp_path, openai)
    result = vicechat(
        env,
        "ask",
        "--doc",
        "1",
        "--section",
        "1",
        "--model",
        "other-model",
        "--max-tokens",
        "77",
        "--system",
        "Answer in French.",
        "-",
        stdin="Bonjour ?\n",
    )
    assert result.returncode == 0, result.stderr
    body = openai.chat_bodies[-1]
    assert body["model"] == "other-model" and body["max_tokens"] == 77
    assert body["messages"][0]["content"].startswith("Answer in French.")
    assert body["messages"][-1]["content"] == "Bonjour ?\n"
    vicechat(env, "ask", "--doc", "1", "--section", "1", "again")
    assert openai.chat_bodies[-1]["model"] == "test-model"


def test_bad_input_exits_1_and_stores_nothing(tmp_path: Path, openai: OpenAIServer) -> None:
    env = configure(tmp_path, openai)
    empty = vicechat(env, "ask", "--doc", "1", "--section", "1", "   ")
    assert empty.returncode == 1 and "empty" in empty.stderr
    bad = vicechat(env, "ask", "--doc", "1", "--section", "1", "--temperature", "7", "hi")
    assert bad.returncode == 1 and "temperature" in bad.stderr
    missing = vicechat(env, "ask", "--doc", "1", "--section", "99", "hi")
    assert missing.returncode == 1 and "Section 99 was not found" in missing.stderr
    for result in (empty, bad, missing):
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert history(env) == []


def test_provider_failure_exits_3_with_one_line_and_keeps_the_message(
    tmp_path: Path, openai: OpenAIServer
) -> None:
    env = configure(tmp_path, openai)
    openai.add_replies(*[Reply.error(503, "overloaded")] * 5)
    result = vicechat(env, "ask", "--doc", "1", "--section", "1", "Still there?")
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("vicechat: error")]
    assert len(errors) == 1 and "kept" in errors[0]
    assert "Traceback" not in result.stderr
    messages = history(env)
    assert messages[0]["content"] == "Still there?" and messages[1]["state"] == "failed"


def test_ask_json_gives_one_object_whatever_the_end(tmp_path: Path, openai: OpenAIServer) -> None:
    env = configure(tmp_path, openai)
    openai.add_replies(Reply(tokens=("Gravity ", "pulls.")))
    done = vicechat(env, "ask", "--doc", "1", "--section", "1", "--json", "Why?")
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)  # nothing streamed before it: stdout is the object alone
    assert said == {
        "job_id": said["job_id"],
        "status": "completed",
        "reply": "Gravity pulls.",
        "sources": [],
        "message_id": history(env)[1]["id"],
        "assistant": "default",
        "model": history(env)[1]["model"],
        "error": None,
    }
    assert said["model"]
    assert "writing answer" in done.stderr
    openai.add_replies(*[Reply.error(503, "overloaded")] * 5)
    failed = vicechat(env, "ask", "--doc", "1", "--section", "1", "--json", "Again?")
    assert failed.returncode == 3
    said = json.loads(failed.stdout)
    assert said["status"] == "failed" and said["reply"] == "" and "503" in said["error"]
    assert failed.stderr.count("vicechat: error") == 1


def test_unreachable_provider_exits_3(tmp_path: Path, openai: OpenAIServer) -> None:
    env = configure(tmp_path, openai)
    config = Path(env["VICECHAT_CONFIG"])
    config.write_text(
        config.read_text().replace(openai.url, "http://127.0.0.1:9/v1"), encoding="utf-8"
    )
    result = vicechat(env, "ask", "--doc", "1", "--section", "1", "anyone?")
    assert result.returncode == 3
    assert "127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_cancels_and_keeps_the_partial_reply(tmp_path: Path, openai: OpenAIServer) -> None:
    env = configure(tmp_path, openai)
    openai.add_replies(Reply(tokens=[f"w{i} " for i in range(500)], delay_per_token=0.02))
    process = start_vicechat(env, "ask", "--doc", "1", "--section", "1", "Talk slowly")
    assert process.stdout is not None
    first = process.stdout.read(6)  # wait until the reply streams
    assert first.startswith("w0 ")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    reply = history(env)[1]
    assert reply["state"] == "cancelled"
    assert str(reply["content"]).startswith("w0 w1 ") and len(str(reply["content"])) < 2000


def test_kill_9_mid_stream_is_recovered_as_interrupted(
    tmp_path: Path, openai: OpenAIServer
) -> None:
    env = configure(tmp_path, openai)
    openai.add_replies(Reply(tokens=[f"w{i} " for i in range(1000)], delay_per_token=0.01))
    process = start_vicechat(env, "ask", "--doc", "1", "--section", "1", "Talk a lot")
    database = tmp_path / "chat.db"
    stored = ""
    deadline = time.monotonic() + 30
    while len(stored) < 30 and time.monotonic() < deadline:
        time.sleep(0.1)
        with sqlite3.connect(database) as connection:
            row = connection.execute(
                "SELECT content FROM chat_message WHERE role = 'assistant'"
            ).fetchone()
        stored = row[0] if row else ""
    assert len(stored) >= 30, "the reply is written to the database while it streams"
    process.kill()  # SIGKILL: no chance to clean up
    process.wait(10)
    with sqlite3.connect(database) as connection:
        status = connection.execute("SELECT status FROM chat_job").fetchone()[0]
    assert status == "running"

    messages = history(env)  # any start of the program recovers
    assert messages[1]["state"] == "interrupted"
    assert str(messages[1]["content"]).startswith(stored)
    with sqlite3.connect(database) as connection:
        status = connection.execute("SELECT status FROM chat_job").fetchone()[0]
    assert status == "interrupted"
