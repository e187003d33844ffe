"""Hybrid knowledge retrieval: embeddings clients against a real local server (both
protocols, misbehaving too), vectors stored at ingestion (incremental, per model), rank
fusion in search — on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from tests.conftest import make_settings
from tests.servers.embeddings import MODEL, EmbeddingsServer, Fault
from tests.servers.hostile import gzip_bomb
from vicechat_tui.cli.main import main
from vicechat_tui.core.errors import (
    AuthenticationError,
    MalformedStreamError,
    ProviderServerError,
    ProviderTimeoutError,
    ReplyTooLargeError,
    SettingsError,
)
from vicechat_tui.core.knowledge.ingest import IngestProgress
from vicechat_tui.core.knowledge.readiness import MISSING_VECTORS, NO_EMBEDDING_MODEL
from vicechat_tui.core.models import KnowledgeVector
from vicechat_tui.core.providers.embeddings import create_embeddings
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import load_settings

KINDS = ["openai", "ollama"]
BOMB = gzip_bomb(256 * 1024 * 1024)


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[EmbeddingsServer]:
    with EmbeddingsServer(request.param, dimensions=256) as started:
        yield started


async def open_with(database_url: str, **providers: Any) -> VicechatCore:
    return await open_core(make_settings(providers=providers), database_url=database_url)


@pytest.fixture
async def hybrid(database_url: str, server: EmbeddingsServer) -> AsyncIterator[VicechatCore]:
    core = await open_with(database_url, local=server.provider_settings())
    yield core
    await core.aclose()


def write_notes(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "garage.md").write_text("# Garage\n\nMy car is red and fast.\n", "utf-8")
    (root / "bakery.md").write_text("# Town\n\nThe best bakery in town sells bread.\n", "utf-8")
    (root / "weather.md").write_text("# Weather\n\nRain fell all day on the hills.\n", "utf-8")
    return root


async def vector_rows(core: VicechatCore) -> list[tuple[int, str, int]]:
    async with core.database.session() as db:
        found = await db.execute(
            select(
                col(KnowledgeVector.passage_id),
                col(KnowledgeVector.model),
                col(KnowledgeVector.dimensions),
            )
        )
        return [(int(passage_id), model, size) for passage_id, model, size in found]


# -- configuration and the clients -------------------------------------------------------------


def test_anthropic_has_no_embeddings_and_the_config_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[providers.claude]\nkind = "anthropic"\nembedding_model = "voyage"\n', "utf-8"
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    assert "providers.claude" in str(caught.value)
    assert "Anthropic offers no embeddings API" in str(caught.value)
    config.write_text('[providers.local]\nkind = "ollama"\nembedding_model = ""\n', "utf-8")
    with pytest.raises(SettingsError, match="embedding_model"):
        load_settings(config)


async def test_both_protocols_give_one_vector_per_text(server: EmbeddingsServer) -> None:
    client = create_embeddings("local", server.provider_settings(api_key="sk-local-secret"))
    try:
        vectors = await client.embed(["a car", "the bread", "a car"])
    finally:
        await client.http.aclose()
    assert vectors.shape == (3, 256) and vectors.dtype.name == "float32"
    assert (vectors[0] == vectors[2]).all() and not (vectors[0] == vectors[1]).all()
    (request,) = server.requests
    assert request.path == server.path and request.json()["input"] == [
        "a car",
        "the bread",
        "a car",
    ]
    assert request.headers["authorization"] == "Bearer sk-local-secret"


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (Fault(status=500), ProviderServerError, "failed to answer (HTTP 500)"),
        (Fault(dimensions=3), MalformedStreamError, "could not be read"),
        (Fault(missing=1), MalformedStreamError, "could not be read"),
        (Fault(body=b'{"data": [{"embedding": ["x"]}]}'), MalformedStreamError, "read"),
        (Fault(body=b"<html>proxy error</html>"), MalformedStreamError, "could not be read"),
        (Fault(delay=2.0), ProviderTimeoutError, "did not answer within 0.5 s"),
        (Fault(huge_bytes=200_000), ReplyTooLargeError, "max_line_bytes"),
        (Fault(body=BOMB, headers=(("Content-Encoding", "gzip"),)), ReplyTooLargeError, "max_"),
    ],
)
async def test_a_misbehaving_server_is_a_clear_error(
    server: EmbeddingsServer, fault: Fault, error: type[Exception], words: str
) -> None:
    server.add_faults(fault, fault)  # the first try and its one retry
    settings = server.provider_settings(read_timeout=0.5, max_line_bytes=100_000)
    client = create_embeddings("local", settings)
    try:
        with pytest.raises(error) as caught:
            await client.embed(["one", "two"])
    finally:
        await client.http.aclose()
    assert words in str(caught.value)


async def test_the_api_key_never_shows_in_an_error() -> None:
    key = "sk-very-secret-key"
    with EmbeddingsServer("openai", api_key="something else") as server:
        client = create_embeddings("local", server.provider_settings(api_key=key))
        try:
            with pytest.raises(AuthenticationError) as caught:
                await client.embed(["x"])
        finally:
            await client.http.aclose()
    assert key not in str(caught.value) and key not in str(caught.value.detail)


# -- ingestion and search ----------------------------------------------------------------------


async def test_hybrid_finds_a_synonym_keyword_search_cannot(
    hybrid: VicechatCore, database_url: str, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    await hybrid.knowledge.create("life")
    seen: list[IngestProgress] = []
    report = await hybrid.knowledge.add("life", [notes], on_progress=seen.append)
    assert (report.embedded, report.embedding_model, report.embedding_problem) == (3, MODEL, None)
    assert [(p.embedded, p.to_embed) for p in seen if p.to_embed] == [(0, 3), (3, 3)]

    question = "Which automobile is best?"
    found = await hybrid.knowledge.retrieve(["life"], question, limit=3)
    assert found.mode == "hybrid" and found.note is None
    paths = [Path(hit.path).name for hit in found.hits]
    assert "garage.md" in paths and "weather.md" not in paths[:2], paths

    keyword_only = await open_with(database_url)
    try:
        plain = await keyword_only.knowledge.retrieve(["life"], question, limit=3)
    finally:
        await keyword_only.aclose()
    assert plain.mode == "keyword"
    assert [Path(hit.path).name for hit in plain.hits] == ["bakery.md"]  # no word of the car


async def test_re_adding_embeds_only_what_changed_and_a_new_model_everything(
    hybrid: VicechatCore, server: EmbeddingsServer, database_url: str, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    (notes / "two.md").write_text("# One\n\nFirst part stays.\n\n# Two\n\nSecond part.\n", "utf-8")
    await hybrid.knowledge.create("life")
    assert (await hybrid.knowledge.add("life", [notes])).embedded == 5
    before = {row[0] for row in await vector_rows(hybrid)}

    again = await hybrid.knowledge.add("life", [notes])
    assert (again.unchanged, again.embedded) == (4, 0)
    (notes / "two.md").write_text("# One\n\nFirst part stays.\n\n# Two\n\nSecond, new.\n", "utf-8")
    server.embedded_texts.clear()
    changed = await hybrid.knowledge.add("life", [notes])
    assert changed.embedded == 1 and server.embedded_texts == ["Second, new."]
    rows = await vector_rows(hybrid)
    assert len(rows) == 5 and {model for _, model, _ in rows} == {MODEL}
    assert len({row[0] for row in rows} - before) == 2  # two.md's passages are new rows

    other = await open_with(
        database_url, local=server.provider_settings(embedding_model="other-embed")
    )
    try:
        found = await other.knowledge.retrieve(["life"], "car")
        assert found.mode == "keyword" and "other-embed" in (found.note or "")
        assert (await other.knowledge.add("life", [notes])).embedded == 5
        assert {model for _, model, _ in await vector_rows(other)} == {"other-embed"}
        assert (await other.knowledge.retrieve(["life"], "car")).mode == "hybrid"
    finally:
        await other.aclose()


async def test_a_failing_provider_leaves_keyword_search_working(
    hybrid: VicechatCore, server: EmbeddingsServer, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    await hybrid.knowledge.create("life")
    server.add_faults(Fault(status=500), Fault(status=500))
    report = await hybrid.knowledge.add("life", [notes])
    assert len(report.indexed) == 3 and report.embedded == 0
    assert "HTTP 500" in (report.embedding_problem or "")
    found = await hybrid.knowledge.retrieve(["life"], "bakery")
    assert found.mode == "keyword" and found.hits and "kb add again" in (found.note or "")

    assert (await hybrid.knowledge.add("life", [notes])).embedded == 3  # finishes the vectors
    server.add_faults(Fault(status=500), Fault(status=500))
    found = await hybrid.knowledge.retrieve(["life"], "bakery")
    assert found.mode == "keyword" and "HTTP 500" in (found.note or "") and found.hits


async def test_a_cancelled_embedding_keeps_the_batches_done(
    database_url: str, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    with EmbeddingsServer("ollama", faults=[Fault(), Fault(delay=30)]) as server:
        core = await open_with(database_url, local=server.provider_settings(embedding_batch=2))
        try:
            await core.knowledge.create("life")
            task = asyncio.create_task(core.knowledge.add("life", [notes]))
            while len(server.requests) < 2:
                await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert len(await vector_rows(core)) == 2  # the first batch, committed
            assert [f.status for f in await core.knowledge.files("life")] == ["indexed"] * 3
        finally:
            await core.aclose()


async def test_a_search_sees_vectors_another_process_added(
    hybrid: VicechatCore, server: EmbeddingsServer, database_url: str, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    await hybrid.knowledge.create("life")
    await hybrid.knowledge.add("life", [notes])
    assert not (await hybrid.knowledge.retrieve(["life"], "feline")).hits  # cached now
    other = await open_with(database_url, local=server.provider_settings())
    try:
        (notes / "pets.md").write_text("# Pets\n\nThe kitten sleeps.\n", "utf-8")
        assert (await other.knowledge.add("life", [notes])).embedded == 1
    finally:
        await other.aclose()
    found = await hybrid.knowledge.retrieve(["life"], "feline")
    assert [Path(hit.path).name for hit in found.hits] == ["pets.md"]


async def test_deleting_a_file_or_collection_removes_its_vectors(
    hybrid: VicechatCore, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes")
    await hybrid.knowledge.create("life")
    await hybrid.knowledge.add("life", [notes])
    await hybrid.knowledge.remove("life", [notes / "garage.md"])
    assert len(await vector_rows(hybrid)) == 2
    found = await hybrid.knowledge.retrieve(["life"], "car")
    assert found.mode == "hybrid" and "garage.md" not in {Path(h.path).name for h in found.hits}
    await hybrid.knowledge.delete("life")
    async with hybrid.database.session() as db:
        assert (await db.execute(select(func.count()).select_from(KnowledgeVector))).scalar() == 0


# -- the command line ----------------------------------------------------------------------------


def test_kb_search_says_which_mode_it_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = write_notes(tmp_path / "notes")
    db = tmp_path / "v.db"
    with EmbeddingsServer("openai") as server:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[providers.local]\nkind = "openai"\nbase_url = "{server.url}"\n'
            f'embedding_model = "{MODEL}"\nmax_retries = 0\n',
            "utf-8",
        )
        monkeypatch.setenv("VICECHAT_CONFIG", str(config))
        assert main(["--db", str(db), "kb", "create", "life"]) == 0
        assert main(["--db", str(db), "kb", "add", "life", str(notes)]) == 0
        out = capsys.readouterr().out
        assert f"3 passages given vectors by {MODEL}" in out
        assert main(["--db", str(db), "kb", "search", "life", "automobile", "--json"]) == 0
        found = json.loads(capsys.readouterr().out)
        assert found["mode"] == "hybrid"
        assert Path(found["passages"][0]["path"]).name == "garage.md"
        assert main(["--db", str(db), "kb", "search", "life", "automobile"]) == 0
        assert capsys.readouterr().out.startswith("hybrid search (keywords and vectors)\n[1] ")
        server.add_faults(Fault(status=500))
        assert main(["--db", str(db), "kb", "search", "life", "bread"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("keyword search — ") and "HTTP 500" in out


def test_kb_list_and_files_say_how_many_passages_have_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = write_notes(tmp_path / "notes")
    db = ["--db", str(tmp_path / "v.db")]
    config = tmp_path / "config.toml"
    monkeypatch.setenv("VICECHAT_CONFIG", str(config))
    with EmbeddingsServer("openai", faults=[Fault(), Fault(status=500)]) as server:
        config.write_text(
            f'[providers.local]\nkind = "openai"\nbase_url = "{server.url}"\n'
            f'embedding_model = "{MODEL}"\nembedding_batch = 2\nmax_retries = 0\n',
            "utf-8",
        )
        assert main([*db, "kb", "create", "life"]) == 0
        assert main([*db, "kb", "add", "life", str(notes)]) == 0  # the second batch fails
        capsys.readouterr()
        assert main([*db, "kb", "list"]) == 0
        assert capsys.readouterr().out == (
            f"life: 3 files, 3 passages, 2 of 3 with vectors ({MODEL})\n{MISSING_VECTORS}\n"
        )
        assert main([*db, "kb", "files", "life", "--json"]) == 0
        files = json.loads(capsys.readouterr().out)
        assert sorted(item["vectors"] for item in files) == [0, 1, 1]
        assert main([*db, "kb", "files", "life"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert sum(f"1 passage, 0 of 1 with vectors ({MODEL})" in line for line in lines) == 1
        assert lines[-1] == MISSING_VECTORS

        assert main([*db, "kb", "add", "life", str(notes)]) == 0  # finishes the vectors
        capsys.readouterr()
        assert main([*db, "kb", "list", "--json"]) == 0
        (listed,) = json.loads(capsys.readouterr().out)
        assert (listed["passages"], listed["vectors"], listed["embedding_model"]) == (
            3,
            3,
            MODEL,
        )
        assert main([*db, "kb", "list"]) == 0
        assert capsys.readouterr().out == (
            f"life: 3 files, 3 passages, all with vectors ({MODEL})\n"
        )

    config.write_text('[providers.local]\nkind = "openai"\nbase_url = "http://127.0.0.1:9"\n')
    assert main([*db, "kb", "list"]) == 0
    assert capsys.readouterr().out == f"life: 3 files, 3 passages\n{NO_EMBEDDING_MODEL}\n"
    assert main([*db, "kb", "files", "life"]) == 0
    out = capsys.readouterr().out
    assert "with vectors" not in out and out.endswith(f"{NO_EMBEDDING_MODEL}\n")
