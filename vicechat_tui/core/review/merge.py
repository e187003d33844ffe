"""Three-way merge of a section edited in two places at once.

`base` is the text both edits started from, `yours` the text typed here, `theirs` what was
stored meanwhile. Each side's changes against the base come from the word-level diff; a
change of one side that neither overlaps nor touches one of the other side's is merged as it
is (and shown, origin "yours" or "theirs"); where both sides changed the same span (or
touching spans, or inserted at the same place) to the same text it is one change ("both"),
else a conflict that holds both texts and waits for a choice. Touching counts as overlapping:
"quick" → "slow" here and "quick brown" → "quick, brown" there would otherwise be glued
together without anyone reading the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vicechat_tui.core.review.diff import Change, Origin, Piece, TextDiff, diff_texts


@dataclass(slots=True)
class _Cluster:
    start: int
    end: int
    yours: list[Change] = field(default_factory=list)
    theirs: list[Change] = field(default_factory=list)


def _side_text(base: str, start: int, end: int, changes: list[Change]) -> str:
    """base[start:end] with `changes` (inside that span, in order) made."""
    parts: list[str] = []
    at = start
    for change in changes:
        parts.append(base[at : change.old_start])
        parts.append(change.new)
        at = change.old_end
    parts.append(base[at:end])
    return "".join(parts)


def _clusters(yours: tuple[Change, ...], theirs: tuple[Change, ...]) -> list[_Cluster]:
    """The changes of both sides, grouped where they overlap or touch, in order."""
    tagged = sorted(
        [(change, True) for change in yours] + [(change, False) for change in theirs],
        key=lambda item: (item[0].old_start, item[0].old_end),
    )
    clusters: list[_Cluster] = []
    for change, is_yours in tagged:
        if not clusters or change.old_start > clusters[-1].end:
            clusters.append(_Cluster(change.old_start, change.old_end))
        cluster = clusters[-1]
        cluster.end = max(cluster.end, change.old_end)
        (cluster.yours if is_yours else cluster.theirs).append(change)
    return clusters


def _merged_change(base: str, cluster: _Cluster, new_start: int) -> Change:
    old = base[cluster.start : cluster.end]
    yours = _side_text(base, cluster.start, cluster.end, cluster.yours)
    theirs = _side_text(base, cluster.start, cluster.end, cluster.theirs)
    origin: Origin
    if not cluster.theirs:
        origin, new, other = "yours", yours, None
    elif not cluster.yours:
        origin, new, other = "theirs", theirs, None
    elif yours == theirs:
        origin, new, other = "both", yours, None
    else:
        origin, new, other = "conflict", yours, theirs
    return Change(old, new, cluster.start, new_start, theirs=other, origin=origin)


def merge_texts(base: str, yours: str, theirs: str) -> TextDiff:
    """The merge as a diff against `base`: every change of either side, conflicts marked.

    Keeping every change gives the merged text with yours in each conflict; `apply(kept,
    theirs=…)` takes the other side where asked.
    """
    clusters = _clusters(diff_texts(base, yours).changes, diff_texts(base, theirs).changes)
    pieces: list[Piece] = []
    at = new_at = 0
    for cluster in clusters:
        if cluster.start > at:
            pieces.append(base[at : cluster.start])
            new_at += cluster.start - at
        change = _merged_change(base, cluster, new_at)
        pieces.append(change)
        new_at += len(change.new)
        at = cluster.end
    if at < len(base):
        pieces.append(base[at:])
    return TextDiff(base, "".join(p.new if isinstance(p, Change) else p for p in pieces), pieces)
