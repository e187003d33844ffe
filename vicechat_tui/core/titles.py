"""What makes a title valid: the one rule behind the core's services and the UI's dialogs.

A title is one line: runs of whitespace (newlines included) become one space and the ends
are trimmed. What is left must not be empty nor longer than MAX_TITLE_CHARS.
"""

from __future__ import annotations

from vicechat_tui.core.errors import InvalidInputError

MAX_TITLE_CHARS = 500


def normalise_title(value: str) -> str:
    """`value` as a one-line title: inner whitespace collapsed, ends trimmed."""
    return " ".join(value.split())


def title_problem(value: str, *, what: str | None = None) -> str | None:
    """Why `value` cannot be a title, or None when it can.

    Without `what`, a short hint to show next to a title field; with it (e.g. "section
    title"), a whole sentence naming the field, for an error.
    """
    cleaned = normalise_title(value)
    if not cleaned:
        return f"The {what} is empty; give it a name." if what else "Give it a name."
    if len(cleaned) > MAX_TITLE_CHARS:
        if what:
            return f"The {what} is longer than {MAX_TITLE_CHARS} characters."
        return f"At most {MAX_TITLE_CHARS} characters."
    return None


def clean_title(title: str, *, what: str = "title") -> str:
    """`title` normalised, or InvalidInputError saying why it cannot be one."""
    problem = title_problem(title, what=what)
    if problem is not None:
        raise InvalidInputError(problem)
    return normalise_title(title)
