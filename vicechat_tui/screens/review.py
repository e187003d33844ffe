"""The review screen: a change about to land in a section, word by word, change by change.

Used for every such change: an applied reply (inserted, replacing the section, or as an
edit), a restored version, a merged edit conflict and an AI edit of a selection. Every change
starts kept (a conflict starts undecided); the person moves from change to change, keeps or
drops each (or all), takes the other side of a conflict, may edit the result by hand, and
saves — the screen returns the text and how many changes were kept; the caller stores it as
one version. Cancelling changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from vicechat_tui.core.review.plan import ReviewPlan
from vicechat_tui.widgets.diff_view import Decision, DiffView
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.safe_text_area import SafeTextArea


@dataclass(frozen=True)
class ReviewOutcome:
    """What to save: the text, and how many of the review's changes it keeps."""

    text: str
    kept: int
    total: int
    by_hand: bool = False


class ReviewScreen(ModalScreen[ReviewOutcome | None]):
    """Returns what to save, or None (cancelled)."""

    DEFAULT_CSS = """
    ReviewScreen {
        align: center middle;
        #dialog {
            width: 96%; height: 94%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #review-title { text-style: bold; padding: 0 1; }
        #review-summary { color: $text-muted; padding: 0 1; height: auto; }
        #review-hand { height: 1fr; display: none; }
        &.-by-hand #review-hand { display: block; }
        &.-by-hand DiffView { display: none; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,n", "step(1)", "Next", id="review.next"),
        Binding("k,up,p", "step(-1)", "Previous", id="review.previous"),
        Binding("a,y", "decide('new')", "Keep", id="review.keep"),
        Binding("d,x", "decide('old')", "Drop", id="review.drop"),
        Binding("t", "decide('theirs')", "Theirs", id="review.theirs"),
        Binding("A", "decide_all('new')", "Keep all", id="review.keep_all"),
        Binding("D", "decide_all('old')", "Drop all", id="review.drop_all"),
        Binding("e", "edit", "Edit by hand", id="review.edit"),
        Binding("ctrl+s", "save", "Save", id="review.save"),
        Binding("escape", "cancel", "Cancel", id="review.cancel"),
    ]

    diff_view = query_one("#review-diff", DiffView)
    summary = query_one("#review-summary", Static)

    def __init__(self, plan: ReviewPlan, *, title: str, read_only: bool = False) -> None:
        super().__init__()
        self.plan = plan
        self.heading = title
        self.read_only = read_only
        """Only to look at (comparing versions): nothing to keep, drop or save."""
        changes = plan.diff.changes
        self.decisions: list[Decision] = [
            None if change.origin == "conflict" else "new" for change in changes
        ]
        self.current: int | None = 0 if changes else None
        self.counts = plan.diff.summary().line()
        """'+N words, −M words, K changes' (fixed for the screen's life)."""
        self.hand_text: SafeTextArea | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(self.heading), id="review-title")
            yield Static("", id="review-summary", markup=False)
            yield DiffView(id="review-diff")
        yield Footer()

    def on_mount(self) -> None:
        changes = self.plan.diff.changes
        self.diff_view.show(self.plan.hunks, changes, self.decisions, self.current)
        self.diff_view.focus()
        self._summarize()

    # -- state -------------------------------------------------------------------------------

    def _undecided(self) -> int:
        return sum(decision is None for decision in self.decisions)

    def _kept(self) -> int:
        return sum(decision in ("new", "theirs") for decision in self.decisions)

    def _summarize(self) -> None:
        total = len(self.decisions)
        if not total:
            line = "Nothing changes."
        else:
            line = self.counts
            if not self.read_only:
                line += f" · keeping {self._kept()} of {total}"
            if (undecided := self._undecided()) > 0:
                line += f" · {undecided} conflict{'s' if undecided != 1 else ''} to choose"
            if self.current is not None:
                line += f" · change {self.current + 1} of {total}"
        if self.hand_text is not None:
            line += " · edited by hand (saving keeps your text)"
        self.summary.update(line)

    def result_text(self) -> str:
        """The text the decisions make (undecided conflicts keep the old text)."""
        kept = [i for i, decision in enumerate(self.decisions) if decision == "new"]
        theirs = [i for i, decision in enumerate(self.decisions) if decision == "theirs"]
        return self.plan.diff.apply(kept, theirs)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return True
        if self.read_only and action != "step":
            return False
        if action == "save":
            return True
        if self.has_class("-by-hand"):
            return False
        if action in ("step", "decide", "decide_all"):
            if action == "decide" and parameters == ("theirs",):
                return self._current_is_conflict()
            return self.current is not None
        return True

    def _key(self, binding_id: str) -> str:
        return key_for_id(self.app, type(self), binding_id)

    def _choose_first(self, undecided: int) -> str:
        plural = "s" if undecided != 1 else ""
        return (
            f"Choose a side for {undecided} conflict{plural} first ({self._key('review.keep')}: "
            f"yours, {self._key('review.theirs')}: theirs, {self._key('review.drop')}: neither)."
        )

    def _current_is_conflict(self) -> bool:
        return (
            self.current is not None and self.plan.diff.changes[self.current].origin == "conflict"
        )

    def action_step(self, delta: int) -> None:
        if self.current is None:
            return
        before, was_conflict = self.current, self._current_is_conflict()
        self.current = max(0, min(len(self.decisions) - 1, before + delta))
        self.diff_view.draw(self.decisions, self.current, only=(before, self.current))
        self._summarize()
        if self._current_is_conflict() != was_conflict:  # "theirs" comes or goes
            self.refresh_bindings()  # (the footer is rebuilt: not on every move)

    def action_decide(self, decision: Decision) -> None:
        if self.current is None:
            return
        if decision == "theirs" and not self._current_is_conflict():
            return
        self.decisions[self.current] = decision
        self.diff_view.draw(self.decisions, self.current, only=(self.current,))
        self._summarize()
        if self.current < len(self.decisions) - 1:
            self.action_step(1)

    def action_decide_all(self, decision: Decision) -> None:
        for index, change in enumerate(self.plan.diff.changes):
            if decision == "old" or change.origin != "conflict":
                self.decisions[index] = decision
        self.diff_view.draw(self.decisions, self.current)
        self._summarize()

    async def action_edit(self) -> None:
        """Edit the result by hand (made from the decisions the first time)."""
        if undecided := self._undecided():
            self.notify(self._choose_first(undecided), severity="warning")
            return
        if self.hand_text is None:
            self.hand_text = SafeTextArea(self.result_text(), soft_wrap=True, id="review-hand")
            await self.query_one("#dialog").mount(self.hand_text)
        self.add_class("-by-hand")
        self.hand_text.focus()
        self._summarize()
        self.refresh_bindings()

    def action_save(self) -> None:
        total = len(self.decisions)
        if self.read_only:
            return
        if self.hand_text is not None:  # typed by hand wins, as the summary line says
            self.dismiss(ReviewOutcome(self.hand_text.text, self._kept(), total, by_hand=True))
            return
        if undecided := self._undecided():
            self.notify(self._choose_first(undecided), severity="warning")
            return
        self.dismiss(ReviewOutcome(self.result_text(), self._kept(), total))

    def action_cancel(self) -> None:
        if self.has_class("-by-hand"):  # back to the changes; the typed text is kept
            self.remove_class("-by-hand")
            self.diff_view.focus()
            self.refresh_bindings()
            return
        self.dismiss(None)
