"""ChatConfig: the per-section chat settings, validated field by field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vicechat_tui.core.errors import InvalidConfigError

MAX_SYSTEM_PROMPT_CHARS = 20_000
MAX_KNOWLEDGE_COLLECTIONS = 20
MAX_COLLECTION_NAME_CHARS = 100
MAX_ASSISTANT_NAME_CHARS = 60


class ChatConfig(BaseModel):
    """How one section's chat talks to its model. `None` means "use the provider default"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    assistant: str | None = Field(
        default=None,
        max_length=MAX_ASSISTANT_NAME_CHARS,
        description="The assistant whose settings this chat starts from (none: the default).",
    )
    provider: str | None = Field(default=None, description="Configured provider name.")
    model: str | None = Field(default=None, description="Model id at that provider.")
    temperature: float = Field(default=0.7, ge=0, le=2, description="Sampling temperature.")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling.")
    max_tokens: int = Field(default=2048, ge=1, le=200_000, description="Reply length limit.")
    system_prompt: str = Field(
        default="", max_length=MAX_SYSTEM_PROMPT_CHARS, description="Instructions for the model."
    )
    web_search: bool = Field(default=False, description="Research the web before answering.")
    search_cycles: int = Field(default=2, ge=1, le=5, description="Research rounds.")
    max_sources: int = Field(default=6, ge=1, le=20, description="Pages read per answer.")
    include_section: bool = Field(default=True, description="Send the section's text.")
    include_outline: bool = Field(default=True, description="Send the document's outline.")
    knowledge: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_KNOWLEDGE_COLLECTIONS,
        description="Knowledge collections (by name) the chat retrieves passages from.",
    )

    @field_validator("knowledge")
    @classmethod
    def _collection_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(name.strip() for name in names))
        if any(not name for name in cleaned):
            raise ValueError("a collection name must not be empty")
        if any(len(name) > MAX_COLLECTION_NAME_CHARS for name in cleaned):
            raise ValueError(
                f"a collection name has at most {MAX_COLLECTION_NAME_CHARS} characters"
            )
        return cleaned

    @field_validator("assistant", "provider", "model")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None


CHAT_CONFIG_FIELDS: tuple[str, ...] = tuple(ChatConfig.model_fields)


_NUMBER_KINDS: dict[object, Literal["integer", "number"]] = {int: "integer", float: "number"}


@dataclass(frozen=True)
class NumberRange:
    """The values accepted for one numeric setting (a None limit: unbounded on that side)."""

    kind: Literal["integer", "number"]
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False

    def contains(self, value: float) -> bool:
        """Whether `value` is in the range (NaN never is when there is a limit)."""
        low, high = self.minimum, self.maximum
        above = low is None or (value > low if self.exclusive_minimum else value >= low)
        below = high is None or (value < high if self.exclusive_maximum else value <= high)
        return above and below

    def describe(self) -> str:
        """The range in words: "between 0 and 2", "more than 0 and at most 1", "at least 1"."""
        inclusive = not (self.exclusive_minimum or self.exclusive_maximum)
        if inclusive and self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        parts: list[str] = []
        if self.minimum is not None:
            parts.append(f"{'more than' if self.exclusive_minimum else 'at least'} {self.minimum}")
        if self.maximum is not None:
            parts.append(f"{'less than' if self.exclusive_maximum else 'at most'} {self.maximum}")
        return " and ".join(parts) or "any number"


def number_ranges(model: type[BaseModel] = ChatConfig) -> dict[str, NumberRange]:
    """Every int or float field of `model` and its range, read from its Field constraints."""
    ranges: dict[str, NumberRange] = {}
    for name, info in model.model_fields.items():
        kind = _NUMBER_KINDS.get(info.annotation)
        if kind is None:
            continue
        bounds: dict[str, Any] = {}
        for constraint in info.metadata:
            match constraint:
                case Ge(ge=value):
                    bounds.update(minimum=value, exclusive_minimum=False)
                case Gt(gt=value):
                    bounds.update(minimum=value, exclusive_minimum=True)
                case Le(le=value):
                    bounds.update(maximum=value, exclusive_maximum=False)
                case Lt(lt=value):
                    bounds.update(maximum=value, exclusive_maximum=True)
        ranges[name] = NumberRange(kind, **bounds)
    return ranges


def _field_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "config"
        reason = item["msg"]
        if item["type"] == "extra_forbidden":
            reason = "unknown setting"
        reason = reason.removeprefix("Value error, ")
        errors.setdefault(name, reason)
    return errors


def unknown_collections_reason(names: Iterable[str], known: Iterable[str]) -> str | None:
    """Why `names` cannot be used (naming the collections there are), or None when all exist."""
    there = sorted(known)
    missing = [name for name in names if name not in there]
    if not missing:
        return None
    listed = ", ".join(there) if there else "you have none yet (vicechat kb create NAME)"
    quoted = ", ".join(repr(name) for name in missing)
    noun = "collection" if len(missing) == 1 else "collections"
    return f"unknown knowledge {noun} {quoted} (there are: {listed})"


def validate_chat_config(
    values: Mapping[str, Any],
    *,
    known_providers: Iterable[str] | None = None,
    known_collections: Iterable[str] | None = None,
) -> ChatConfig:
    """Build a ChatConfig or raise InvalidConfigError naming every bad field.

    `known_collections` (the names of the knowledge collections the person may use), when
    given, refuses a `knowledge` name that is not among them.
    """
    errors: dict[str, str] = {}
    config: ChatConfig | None = None
    try:
        config = ChatConfig.model_validate(dict(values))
    except ValidationError as error:
        errors.update(_field_errors(error))
    provider = values.get("provider")
    if known_providers is not None and isinstance(provider, str) and provider.strip():
        names = sorted(known_providers)
        if provider.strip() not in names:
            listed = ", ".join(names) if names else "none are configured"
            errors["provider"] = f"unknown provider {provider.strip()!r} (configured: {listed})"
    if config is not None and known_collections is not None:
        reason = unknown_collections_reason(config.knowledge, known_collections)
        if reason is not None:
            errors["knowledge"] = reason
    if errors or config is None:
        raise InvalidConfigError(errors)
    return config


def merge_chat_config(
    current: ChatConfig,
    changes: Mapping[str, Any],
    *,
    known_providers: Iterable[str] | None,
    known_collections: Iterable[str] | None = None,
) -> ChatConfig:
    """Apply `changes` on top of `current`; all-or-nothing."""
    return validate_chat_config(
        {**current.model_dump(), **dict(changes)},
        known_providers=known_providers,
        known_collections=known_collections,
    )
