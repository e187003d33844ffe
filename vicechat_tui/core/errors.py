"""One error hierarchy for vicechat, with messages written for the person using it.

Every error carries a short `title` and a `message` that the CLI prints and the UI shows
as is; `detail` holds technical context for logs and the "details" view. `exit_code` is what
the CLI exits with when the error ends a command.
"""

from __future__ import annotations

from collections.abc import Mapping


class VicechatError(Exception):
    """Base class: something the user can read and act on."""

    title = "Something went wrong"
    exit_code = 1

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


# --- input and lookups ---------------------------------------------------------------


class NotFoundError(VicechatError):
    title = "Not found"


class DocumentNotFoundError(NotFoundError):
    def __init__(self, document_id: object) -> None:
        super().__init__(f"Document {document_id} was not found.")
        self.document_id = document_id


class SectionNotFoundError(NotFoundError):
    def __init__(self, section_id: object) -> None:
        super().__init__(f"Section {section_id} was not found.")
        self.section_id = section_id


class SessionNotFoundError(NotFoundError):
    def __init__(self, session_id: object) -> None:
        super().__init__(f"Chat session {session_id} was not found.")
        self.session_id = session_id


class JobNotFoundError(NotFoundError):
    def __init__(self, job_id: object) -> None:
        super().__init__(f"Chat job {job_id} was not found.")
        self.job_id = job_id


class MessageNotFoundError(NotFoundError):
    def __init__(self, message_id: object) -> None:
        super().__init__(f"Chat message {message_id} was not found.")
        self.message_id = message_id


class AccessDeniedError(VicechatError):
    """A document the person may see but not change this way (view-only, or not the owner)."""

    title = "Not allowed"


class VersionNotFoundError(NotFoundError):
    def __init__(self, version_id: object) -> None:
        super().__init__(f"Section version {version_id} was not found.")
        self.version_id = version_id


class SectionNotInDocumentError(VicechatError):
    title = "Wrong document"

    def __init__(self, section_id: object, document_id: object) -> None:
        super().__init__(f"Section {section_id} is not in document {document_id}.")
        self.section_id = section_id
        self.document_id = document_id


class InvalidInputError(VicechatError):
    """Input that cannot be used as given (an empty title, a bad file, a bad move)."""

    title = "Invalid input"


class EmptyMessageError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__("The message is empty; type something to send.")


class InvalidConfigError(VicechatError):
    """A chat configuration with one or more bad fields; lists every one of them."""

    title = "Invalid chat configuration"
    subject = "The chat configuration"

    def __init__(self, field_errors: Mapping[str, str]) -> None:
        self.field_errors = dict(field_errors)
        listed = "; ".join(f"{name}: {reason}" for name, reason in self.field_errors.items())
        super().__init__(f"{self.subject} has invalid fields — {listed}.")


class InvalidAssistantError(InvalidConfigError):
    """An assistant's settings with one or more bad fields (name, description, …)."""

    title = "Invalid assistant"
    subject = "The assistant"


class AssistantNotFoundError(NotFoundError):
    """No assistant of that name among the person's own; says which ones there are."""

    def __init__(self, name: str, available: list[str]) -> None:
        yours = ", ".join(available) if available else "none yet"
        super().__init__(f"There is no assistant named {name!r}; yours are: {yours}.")
        self.name = name
        self.available = available


class EditConflictError(VicechatError):
    """A save based on a version of the section that is no longer the current one."""

    title = "Edit conflict"

    def __init__(
        self,
        section_id: int,
        *,
        based_on_version: int,
        current_version: int,
        current_title: str,
        current_content: str,
    ) -> None:
        super().__init__(
            f"Section {section_id} was changed elsewhere (your edit is based on version "
            f"{based_on_version}, the section is now at version {current_version}); "
            "nothing was overwritten."
        )
        self.section_id = section_id
        self.based_on_version = based_on_version
        self.current_version = current_version
        self.current_title = current_title
        self.current_content = current_content


class SettingsError(VicechatError):
    """The configuration file (or an environment variable) holds something unusable."""

    title = "Configuration error"


class DatabaseError(VicechatError):
    """The database cannot be opened, read or written (see core/database_errors.py)."""

    title = "Database error"
    exit_code = 4


# --- model providers -------------------------------------------------------------------


class ProviderError(VicechatError):
    """A failure talking to a model provider. `retryable` says a later try may succeed."""

    title = "Model provider error"
    exit_code = 3
    retryable = False


class ProviderNotConfiguredError(ProviderError):
    title = "No model provider"


class ProviderUnreachableError(ProviderError):
    title = "Provider unreachable"
    retryable = True


class ProviderTimeoutError(ProviderError):
    title = "Provider timed out"
    retryable = True


class AuthenticationError(ProviderError):
    title = "Access refused"


class ModelNotFoundError(ProviderError):
    title = "Unknown model"


class ContextTooLongError(ProviderError):
    title = "Conversation too long"


class BadRequestError(ProviderError):
    title = "Request refused"


class RateLimitedError(ProviderError):
    title = "Rate limited"
    retryable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class ProviderServerError(ProviderError):
    title = "Provider failed"
    retryable = True


class MalformedStreamError(ProviderError):
    title = "Garbled reply"


class ReplyTooLargeError(ProviderError):
    """The server sent more than a configured bound allows: reply, line or response size."""

    title = "Reply too large"


class StreamInterruptedError(ProviderError):
    """The stream stopped early: a disconnect, or an end without a finish marker."""

    title = "Reply cut off"


# --- web research ----------------------------------------------------------------------


class ResearchError(VicechatError):
    title = "Web research failed"
    exit_code = 3


class SearchNotConfiguredError(ResearchError):
    title = "No web search provider"


class SearchFailedError(ResearchError):
    title = "Web search failed"


class FetchRefusedError(ResearchError):
    """A page address that the fetcher will not request (scheme, private address, …)."""

    title = "Address refused"


class FetchFailedError(ResearchError):
    title = "Page could not be read"


# --- knowledge -------------------------------------------------------------------------


class CollectionNotFoundError(NotFoundError):
    """No collection of that name among the person's own; names the ones there are."""

    def __init__(self, name: str, known: list[str]) -> None:
        there = ", ".join(sorted(known)) if known else "none yet (vicechat kb create NAME)"
        super().__init__(f"There is no knowledge collection {name!r}; yours: {there}.")
        self.name = name
        self.known = known
