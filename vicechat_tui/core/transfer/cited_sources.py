"""A source as a reply cites it (a web page or a passage of the user's files), and when
two of them are the same reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A source as a reply stored it: a web page, or a passage of one of the user's files."""

    number: int
    """The reply's own number for it (`[number]` in the reply)."""
    title: str
    url: str = ""
    kind: Literal["web", "file"] = "web"
    path: str = ""
    location: str = ""
    read_on: date | None = None
    """When it was read: the day of the reply that cites it."""

    @property
    def identity(self) -> tuple[str, ...]:
        """Two sources with the same identity are one reference."""
        if self.kind == "file":
            return ("file", self.path, self.location)
        return ("url", normalised_url(self.url))

    @property
    def site(self) -> str:
        """The web site (host without `www.`), or the file's name."""
        if self.kind == "file":
            return PurePath(self.path).name or self.path
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any], read_on: date | None) -> CitedSource | None:
        """From a `ChatMessage.sources` entry; None when it has no usable number."""
        number = stored.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            return None
        is_file = stored.get("kind") == "file" or (not stored.get("url") and stored.get("path"))
        return cls(
            number=number,
            title=str(stored.get("title") or ""),
            url=str(stored.get("url") or ""),
            kind="file" if is_file else "web",
            path=str(stored.get("path") or ""),
            location=str(stored.get("location") or ""),
            read_on=read_on,
        )


def normalised_url(url: str) -> str:
    """The URL as compared for de-duplication (not as shown)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )
