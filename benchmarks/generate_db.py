"""Make a large vicechat database for the benchmarks.

Default size: 1,000 documents, 20,000 sections, 200,000 chat messages, plus one section whose
chat holds 5,000 messages (figure 3). Rows are bulk-inserted with SQLAlchemy Core through the
real schema (migrated by vicechat itself).

    python benchmarks/generate_db.py PATH.db [--documents N] [--sections-per-doc N] ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BIG_CHAT_MESSAGES = 5_000
CODE = "\n\n```python\nprint(1)\n```"
USER = "bench"


def lorem(index: int, words: int) -> str:
    vocabulary = ("moon", "orbit", "tide", "gravity", "crater", "light", "dust", "silence")
    return " ".join(vocabulary[(index + i) % len(vocabulary)] for i in range(words))


async def create_schema(url: str) -> None:
    from vicechat_tui.core.database import open_database

    database = await open_database(url, user=USER)
    await database.dispose()


def fill(
    url: str, documents: int, sections_per_doc: int, messages_per_section: int
) -> dict[str, int]:
    from sqlalchemy import create_engine, insert

    from vicechat_tui.core.database import sync_url
    from vicechat_tui.core.models import ChatMessage, ChatSession, Document, Section

    now = datetime.now(UTC)
    engine = create_engine(sync_url(url))
    section_id = session_id = 0
    totals = {"documents": 0, "sections": 0, "messages": 0}
    with engine.begin() as connection:
        connection.execute(
            insert(Document),
            [
                {
                    "id": d + 1,
                    "title": f"Document {d + 1:04d}",
                    "description": "",
                    "owner": USER,
                    "tags": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for d in range(documents)
            ],
        )
        totals["documents"] = documents
        for d in range(documents):
            sections, sessions, messages = [], [], []
            for s in range(sections_per_doc):
                section_id += 1
                parent = None if s % 4 == 0 else section_id - (s % 4)
                sections.append(
                    {
                        "id": section_id,
                        "document_id": d + 1,
                        "parent_id": parent,
                        "position": s,
                        "title": f"Section {s + 1}",
                        "content": lorem(s, 80),
                        "status": "draft",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if messages_per_section:
                    session_id += 1
                    sessions.append(
                        {
                            "id": session_id,
                            "section_id": section_id,
                            "config": {},
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    for m in range(messages_per_section):
                        messages.append(
                            {
                                "session_id": session_id,
                                "role": "user" if m % 2 == 0 else "assistant",
                                "content": lorem(m, 40),
                                "state": "complete",
                                "sources": [],
                                "steps": [],
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
            connection.execute(insert(Section), sections)
            if sessions:
                connection.execute(insert(ChatSession), sessions)
                connection.execute(insert(ChatMessage), messages)
            totals["sections"] += len(sections)
            totals["messages"] += len(messages)
    engine.dispose()
    return totals


def add_big_chat(url: str, messages: int) -> dict[str, int]:
    """One more document with two sections: one with a huge chat, one with an empty one."""
    from sqlalchemy import create_engine, func, insert, select

    from vicechat_tui.core.database import sync_url
    from vicechat_tui.core.models import ChatMessage, ChatSession, Document, Section

    now = datetime.now(UTC)
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        document_id = connection.execute(
            insert(Document).values(
                title="Big chat",
                description="",
                owner=USER,
                tags=[],
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        ids = []
        for position, title in enumerate(("Busy section", "Quiet section")):
            ids.append(
                connection.execute(
                    insert(Section).values(
                        document_id=document_id,
                        parent_id=None,
                        position=position,
                        title=title,
                        content="text",
                        status="draft",
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            )
        session_id = connection.execute(
            insert(ChatSession).values(section_id=ids[0], config={}, created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        connection.execute(
            insert(ChatMessage),
            [
                {
                    "session_id": session_id,
                    "role": "user" if m % 2 == 0 else "assistant",
                    "content": f"Message {m}: "
                    + lorem(m, 30)
                    + ("\n\n```python\nprint(1)\n```" if m % 7 == 0 else ""),
                    "state": "complete",
                    "sources": [],
                    "steps": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for m in range(messages)
            ],
        )
        count = connection.execute(select(func.count()).select_from(ChatMessage)).scalar_one()
    engine.dispose()
    return {
        "big_document_id": int(document_id),
        "busy_section_id": int(ids[0]),
        "quiet_section_id": int(ids[1]),
        "messages_total": int(count),
    }


def generate(
    path: Path,
    documents: int = 1000,
    sections_per_doc: int = 20,
    messages_per_section: int = 10,
    big_chat: int = BIG_CHAT_MESSAGES,
) -> dict[str, int]:
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    asyncio.run(create_schema(url))
    totals = fill(url, documents, sections_per_doc, messages_per_section)
    totals.update(add_big_chat(url, big_chat))
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--sections-per-doc", type=int, default=20)
    parser.add_argument("--messages-per-section", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    totals = generate(args.path, args.documents, args.sections_per_doc, args.messages_per_section)
    totals["seconds"] = round(time.perf_counter() - started, 1)  # type: ignore[assignment]
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
