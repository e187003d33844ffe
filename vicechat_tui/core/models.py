"""SQLModel tables: the persisted shape of documents, sections, versions, chats and jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class SectionStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    FINAL = "final"


class VersionSource(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    AUTOSAVE = "autosave"
    """Typing saved on its own; later autosaves go into the same version for a while."""
    APPLIED_REPLY = "applied_reply"
    RESTORE = "restore"
    AI_EDIT = "ai_edit"
    """An edit of a selection asked of a model, reviewed change by change."""
    MERGE = "merge"
    """An edit conflict merged: both sides' changes, with a choice where they overlapped."""


class MessageRole(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class MessageState(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    CANCELLED = "cancelled"
    QUEUED = "queued"
    """A user's message typed while a reply was being written: sent when that reply
    completes (see `JobEngine.queue`), held after a failed or stopped one."""


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_finished(self) -> bool:
        return self not in (JobStatus.PENDING, JobStatus.RUNNING)


class JobKind(StrEnum):
    CHAT = "chat"
    WEB_RESEARCH = "web_research"


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index
        ),
    )


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner: str = Field(index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    trashed_at: datetime | None = None
    """When it was deleted: in the trash (hidden everywhere) until restored or purged."""
    trashed_by: str | None = None


class ShareLevel(StrEnum):
    """What a document's owner lets another user do with it."""

    VIEW = "view"
    """Read everything of the document (sections, chats, versions); change nothing."""
    EDIT = "edit"
    """Also change sections, chat, apply replies, restore; not delete it, not share it."""


class DocumentShare(SQLModel, table=True):
    """Another user who may read (view) or also change (edit) a document."""

    __tablename__ = "document_share"
    __table_args__ = (CheckConstraint("level IN ('view', 'edit')", name="ck_document_share_level"),)

    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    )
    user: str = Field(primary_key=True)
    level: str = ShareLevel.VIEW.value
    owner: str
    """The document's owner, who made the share. PostgreSQL's policy on this table reads it
    here: looking it up in `document` would loop back through document's own policy."""


class Section(SQLModel, table=True):
    __table_args__ = (Index("ix_section_doc_parent_pos", "document_id", "parent_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = _fk("document.id")
    parent_id: int | None = _fk("section.id", nullable=True)
    position: int = 0
    title: str
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = SectionStatus.DRAFT.value
    version: int = 1
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    trashed_at: datetime | None = None
    """When it was deleted: in the trash (hidden everywhere) until restored or purged."""
    trashed_by: str | None = None
    trashed_with: int | None = Field(default=None, index=True)
    """The id of the section whose deletion put this one in the trash (its own for that one)."""


class SectionVersion(SQLModel, table=True):
    __tablename__ = "section_version"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = _fk("section.id")
    version: int
    title: str
    content: str = Field(sa_column=Column(Text, nullable=False))
    source: str = VersionSource.EDIT.value
    created_by: str = ""
    created_at: datetime = Field(default_factory=utc_now)
    changes_kept: int | None = None
    """Saved from a review: how many of its `changes_total` changes were kept."""
    changes_total: int | None = None


class ChatSession(SQLModel, table=True):
    __tablename__ = "chat_session"
    __table_args__ = (UniqueConstraint("section_id", name="uq_chat_session_section"),)

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = _fk("section.id", index=False)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_session_id_id", "session_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _fk("chat_session.id", index=False)
    role: str
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = MessageState.COMPLETE.value
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    steps: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    model: str | None = None
    assistant: str | None = None
    """The name of the assistant whose settings the reply was written with."""
    usage: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class ChatJob(SQLModel, table=True):
    __tablename__ = "chat_job"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = _fk("chat_session.id")
    section_id: int = Field(index=True)
    kind: str = JobKind.CHAT.value
    status: str = Field(default=JobStatus.PENDING.value, index=True)
    progress: float = 0.0
    cycle: int = 0
    cycles: int = 0
    step_label: str = ""
    error: str | None = None
    error_detail: str | None = None
    user_message_id: int | None = None
    result_message_id: int | None = None
    assistant: str | None = None
    """The name of the assistant the job ran as."""
    runner: str | None = None
    """host:pid of the process running the job, to tell crashed jobs from live ones."""
    created_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None


# -- knowledge: a person's own files, indexed into passages --------------------------------


class FileStatus(StrEnum):
    INDEXED = "indexed"
    FAILED = "failed"
    """Could not be read (binary, encrypted, too large…): `error` says why."""


class KnowledgeCollection(SQLModel, table=True):
    """A named set of one person's files that chats can retrieve passages from."""

    __tablename__ = "knowledge_collection"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_knowledge_collection_name"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(index=True)
    name: str
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class KnowledgeFile(SQLModel, table=True):
    """One file of a collection: where it is, what its content hashed to when read."""

    __tablename__ = "knowledge_file"
    __table_args__ = (UniqueConstraint("collection_id", "path", name="uq_knowledge_file_path"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = _fk("knowledge_collection.id", index=False)
    path: str
    content_hash: str = ""
    size: int = 0
    status: str = FileStatus.INDEXED.value
    error: str | None = None
    passages: int = 0
    updated_at: datetime = Field(default_factory=utc_now)


class KnowledgePassage(SQLModel, table=True):
    """A piece of a file's text, with where it is: heading path or page, character offsets."""

    __tablename__ = "knowledge_passage"
    __table_args__ = (Index("ix_knowledge_passage_collection_id", "collection_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = _fk("knowledge_collection.id", index=False)
    file_id: int = _fk("knowledge_file.id")
    position: int = 0
    location: str = ""
    start: int = 0
    end: int = 0
    text: str = Field(sa_column=Column(Text, nullable=False))


class KnowledgeVector(SQLModel, table=True):
    """A passage's embedding: float32 numbers, unit length, and the model that made them."""

    __tablename__ = "knowledge_vector"
    __table_args__ = (Index("ix_knowledge_vector_collection_id", "collection_id", "model"),)

    passage_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("knowledge_passage.id", ondelete="CASCADE"), primary_key=True
        )
    )
    collection_id: int = _fk("knowledge_collection.id", index=False)
    model: str
    dimensions: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DocumentKnowledge(SQLModel, table=True):
    """A collection attached to a document: every section's chat draws on it."""

    __tablename__ = "document_knowledge"

    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    )
    collection_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("knowledge_collection.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


class Assistant(SQLModel, table=True):
    """A person's named, reusable chat profile; a section's chat uses one (by name)."""

    __table_args__ = (UniqueConstraint("owner", "name", name="uq_assistant_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(index=True)
    name: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    provider: str | None = None
    model: str | None = None
    temperature: float = 0.7
    max_tokens: int = 2048
    system_prompt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    web_search: bool = False
    search_cycles: int = 2
    knowledge: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Names of the owner's knowledge collections its chats retrieve passages from."""
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
