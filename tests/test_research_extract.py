"""Main-text extraction: trafilatura first, a simple fallback, a cap per page."""

from __future__ import annotations

import subprocess
import sys

from tests.servers.research import PAGES
from vicechat_tui.core.research.extract import (
    cap_text,
    extract_text,
    html_title,
    simple_html_text,
)


def test_article_without_navigation_and_footer() -> None:
    extracted = extract_text(PAGES["/moon"], "text/html")
    assert extracted.title == "Gravity on the Moon"
    assert "one sixth of the gravity" in extracted.text
    assert "About us" not in extracted.text
    assert "newsletter" not in extracted.text


def test_fallback_keeps_visible_text_of_broken_html() -> None:
    html = "<title>T</title><script>var x = 1;</script><nav>Menu</nav><p>Hello <b>there"
    assert simple_html_text(html) == "Hello there"
    assert html_title(html) == "T"


def test_empty_trafilatura_result_falls_back() -> None:
    extracted = extract_text("<html><title>Tiny</title><body>Short note.</body>", "text/html")
    assert extracted == extracted.__class__(title="Tiny", text="Short note.")


def test_plain_text_is_tidied_and_kept() -> None:
    extracted = extract_text("a   b\n\n\n\nc  ", "text/plain")
    assert extracted.title == ""
    assert extracted.text == "a b\n\nc"


def test_text_is_capped_per_page() -> None:
    words = " ".join(["lunar"] * 5000)
    extracted = extract_text(words, "text/plain", limit=1000)
    assert len(extracted.text) <= 1000
    assert extracted.text.endswith("lunar…")
    assert cap_text("short", 10) == "short"


def test_trafilatura_is_not_imported_at_start_up() -> None:
    code = (
        "import sys\n"
        "import vicechat_tui.core.research.loop, vicechat_tui.core.research.search\n"
        "assert 'trafilatura' not in sys.modules, 'trafilatura imported eagerly'\n"
        "assert 'textual' not in sys.modules, 'textual imported by the core'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
