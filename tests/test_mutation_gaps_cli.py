"""Command-line safety nets that no test reached (found by mutation, MUTATION_SPOTCHECK.md).

- `mask_secrets` is the last guard before `config show` prints: the settings mask their own
  secrets first, so `config show` passed with this guard switched off. It is checked here on
  data the settings would not have masked.
- A file write that fails half-way (a full disk, a quota) must leave the old file whole and
  no temporary file behind. The export tests fail before the temporary file exists (a
  missing folder, a read-only one), so the clean-up after a failed write was never run.
  Here a real file-size limit (RLIMIT_FSIZE, as a quota would) stops the write half-way.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from vicechat_tui.cli.config import MASK, mask_secrets

WRITE = """
import sys
from pathlib import Path
from vicechat_tui.cli.output import write_file_atomically
from vicechat_tui.core.errors import InvalidInputError
try:
    write_file_atomically(Path(sys.argv[1]), "new line\\n" * 20_000)
except InvalidInputError as error:
    print(error.message)
    sys.exit(1)
"""
SIZE_LIMIT = 64 * 1024
"""Bytes a file may grow to in the writing process: well under the 180 kB it writes."""


def test_mask_secrets_masks_what_the_settings_did_not() -> None:
    data = {
        "providers": [
            {"api_key": "sk-nested-1", "api_key_env": "LOCAL_KEY", "token": ""},
            {"extra": {"client_secret": "s3cr3t", "password": None}},
        ],
        "proxy": "http://me:hunter2@127.0.0.1:3128",
        "user": "alice",
    }
    assert mask_secrets(data) == {
        "providers": [
            {"api_key": MASK, "api_key_env": "LOCAL_KEY", "token": ""},
            {"extra": {"client_secret": MASK, "password": None}},
        ],
        "proxy": "http://me:***@127.0.0.1:3128",
        "user": "alice",
    }


def limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (SIZE_LIMIT, SIZE_LIMIT))


def test_a_write_stopped_half_way_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    target = tmp_path / "export.md"
    target.write_text("old export\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", WRITE, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_file_size,  # Python ignores SIGXFSZ: the write fails with EFBIG
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"Cannot write {target}"), result.stdout
    assert target.read_text(encoding="utf-8") == "old export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export.md"]
