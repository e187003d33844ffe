"""Known secrets never reach a log: once a core is open, every record of the process (ours
and the libraries') has its message and exception text redacted when it is made."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.conftest import make_settings
from vicechat_tui.core.runtime import open_core
from vicechat_tui.core.settings import ProviderSettings

KEY = "sk-log-test-key-4f9a2c7e"


async def test_a_key_and_a_url_password_are_redacted_in_every_log_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        providers={"local": ProviderSettings(kind="openai", api_key=SecretStr(KEY))}
    )
    core = await open_core(settings, database_url=f"sqlite:///{tmp_path / 'v.db'}")
    try:
        caplog.set_level(logging.INFO)
        ours = logging.getLogger("vicechat_tui.core.jobs.engine")
        library = logging.getLogger("sqlalchemy.pool")
        try:
            raise RuntimeError(f"the provider said: invalid key {KEY}")
        except RuntimeError:
            ours.exception("chat job %s failed with %s", 7, KEY)
        library.error("cannot connect to %s", "postgresql://team:hunter2-secret@db/v")
    finally:
        await core.aclose()
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert KEY not in logged and "hunter2-secret" not in logged
    assert "[redacted]" in logged and "team:***@db" in logged
    assert "chat job 7 failed" in logged and "RuntimeError" in logged
