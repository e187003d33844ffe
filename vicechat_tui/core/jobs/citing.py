"""A reply's sources are the ones it cites.

While a reply is written, every web page read and every passage retrieved is a candidate
source, numbered as the model saw it. When the job ends (completed, cancelled or failed) the
reply keeps as its sources only those its text cites with `[n]` markers (`[n]`, `[n, m]`,
`[n-m]`, as the export's bibliography reads them, `transfer/citation_markers.py`; and runs
like `[1][2]`, which models write and a bibliography reads as a link), numbers unchanged,
so `[3]` in the text still means source 3. A reply that cites nothing keeps no source.
What was read stays in the reply's steps ("6 passages from 3 files", pages read).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vicechat_tui.core.events import Source
from vicechat_tui.core.transfer.citation_markers import find_markers

_RUN = re.compile(r"(\[\s*\d[\d\s,;\-–]*\])(?=\[\s*\d)")
"""A numeric marker glued to the next one (`[1][2]`): a space goes between them."""


def cited_sources(text: str, sources: Sequence[Source]) -> list[Source]:
    """The sources of `sources` that `text` cites, in their order, numbers kept."""
    markers = find_markers(_RUN.sub(r"\1 ", text))
    cited = {number for _start, _end, numbers in markers for number in numbers}
    return [source for source in sources if source.number in cited]
