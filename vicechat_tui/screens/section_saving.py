"""Storing what the section editor holds: saves, edit conflicts, restores, applied replies.

`SectionSaver` is a controller the workspace screen owns. Saves are based on the version the
editor loaded (`save_content(based_on_version=...)`); when the section changed elsewhere the
review screen merges the two edits from the text both started from (changes that do not
overlap merged and shown, overlapping ones chosen), and nothing is overwritten silently. A
failed save keeps the text in the editor and says so. Applied replies and restores are
reviewed change by change too, and saved as one version that records what was kept.

Versions are made at meaningful moments: an explicit save, leaving the section, applying a
reply and restoring are checkpoints; autosaves (`save(checkpoint=False)`) go on updating one
version. A checkpoint with no new text keeps the autosaved version as it is
(`sections.checkpoint`), so the next typing starts a version of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from vicechat_tui.core.errors import EditConflictError
from vicechat_tui.screens.review import ReviewOutcome, ReviewScreen
from vicechat_tui.screens.tree_edits import Ask
from vicechat_tui.widgets.section_editor import Draft, SectionEditor
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from vicechat_tui.core.review.plan import ReviewPlan

SaveResult = Literal["saved", "conflict", "failed"]
SaveSource = Literal["edit", "applied_reply", "restore", "ai_edit", "merge"]
StartTask = Callable[[Awaitable[object], str], object]
"""Run work in the background on the app's error path (the screen's `run_task`)."""
Report = Callable[[BaseException], None]
"""Show a failure (the app's one error path)."""


class SectionSaver:
    """Saves the editor's draft; one save at a time; one conflict dialog at a time."""

    def __init__(
        self,
        editor: SectionEditor,
        workbench: Workbench,
        *,
        ask: Ask,
        start: StartTask,
        report: Report,
    ) -> None:
        self.editor = editor
        self.workbench = workbench
        self.ask = ask
        self.start = start
        self.report = report
        self.conflict_open = False
        self._lock = asyncio.Lock()
        self._autosaved: int | None = None
        """The section whose newest version is an autosave made here, not yet a checkpoint."""

    async def save(self, *, checkpoint: bool = True) -> SaveResult:
        """Store the draft if there is one; a conflict opens the conflict dialog.

        Autosaves pass `checkpoint=False`; every other save is a checkpoint (a version).
        """
        async with self._lock:
            return await self._save_draft("edit", checkpoint=checkpoint)

    async def _save_draft(
        self,
        source: SaveSource,
        *,
        checkpoint: bool = True,
        reviewed: ReviewOutcome | None = None,
    ) -> SaveResult:
        """`save` for a caller that holds the lock."""
        draft = self.editor.draft()
        if draft is None:
            if checkpoint:
                await self._keep_autosaved()
            return "saved"
        if self.conflict_open:
            return "conflict"
        self.editor.stop_autosave()
        self.editor.mark_state("saving")
        try:
            # typed before the core opened (the section came from the start-up preview): the
            # save waits for it; the models are imported by then (not on the event loop)
            core = await self.workbench.open_core()
            from vicechat_tui.core.models import VersionSource
            from vicechat_tui.core.services.section_versions import KeptChanges

            section = await core.sections.save_content(
                draft.section_id,
                draft.text,
                based_on_version=draft.based_on_version,
                source=VersionSource(source),
                checkpoint=checkpoint,
                reviewed=None if reviewed is None else KeptChanges(reviewed.kept, reviewed.total),
            )
        except EditConflictError as conflict:
            self.editor.mark_state("conflict")
            self.conflict_open = True
            self.start(self._resolve(draft, conflict), "Resolve an edit conflict")
            return "conflict"
        except Exception as error:
            self.editor.mark_state("failed")
            self.report(error)
            return "failed"
        self.editor.mark_saved(draft, section.version)
        self._autosaved = None if checkpoint else draft.section_id
        return "saved"

    async def _keep_autosaved(self) -> None:
        """Make the version the autosaves here went into a checkpoint (nothing new to save)."""
        section_id, self._autosaved = self._autosaved, None
        if section_id is not None and section_id == self.editor.section_id:
            try:
                await self.workbench.require_core().sections.checkpoint(section_id)
            except Exception as error:  # the text is stored; only its version's mark is not
                self.report(error)

    async def _resolve(self, draft: Draft, conflict: EditConflictError) -> None:
        """Merge the draft with what was stored meanwhile (three-way, from the text it was
        typed on): changes that do not overlap are merged and shown, overlapping ones wait
        for a choice. Cancelling leaves the draft in the editor, unsaved ("decide later")."""
        from vicechat_tui.core.models import VersionSource
        from vicechat_tui.core.review.plan import plan_merge
        from vicechat_tui.core.services.section_versions import KeptChanges

        try:
            plan = await plan_merge(draft.based_on_text, draft.text, conflict.current_content)
            title = (
                f"“{conflict.current_title}” changed elsewhere (version "
                f"{conflict.current_version}; yours is based on {conflict.based_on_version}): "
                "merge"
            )
            outcome = await self.review(plan, title)
        finally:
            self.conflict_open = False
        if outcome is None:
            return
        section_id = draft.section_id
        showing = self.editor.section_id == section_id
        if showing and outcome.text == conflict.current_content:
            self.editor.load(section_id, conflict.current_version, conflict.current_content)
        elif showing:
            self.editor.rebase(section_id, conflict.current_version, conflict.current_content)
            async with self._lock:
                self.editor.put_text(outcome.text, "replace")
                await self._save_draft("merge", reviewed=outcome)
        else:
            await self.workbench.require_core().sections.save_content(
                section_id,
                outcome.text,
                based_on_version=conflict.current_version,
                source=VersionSource.MERGE,
                reviewed=KeptChanges(outcome.kept, outcome.total),
            )

    async def review(self, plan: ReviewPlan, title: str) -> ReviewOutcome | None:
        """Show `plan` in the review screen; what to save, or None."""
        outcome: ReviewOutcome | None = await self.ask(ReviewScreen(plan, title=title))
        return outcome

    async def _land_reviewed(
        self, outcome: ReviewOutcome | None, source: SaveSource, *, was: str
    ) -> bool:
        """Put what the review kept into the editor and save it as one version of `source`;
        False when nothing was saved (cancelled, or nothing kept)."""
        if outcome is None:
            return False
        if outcome.text == was:
            self.editor.notify("Nothing kept; the section is unchanged.", timeout=3)
            return False
        self.editor.put_text(outcome.text, "replace")  # one undo step in the editor
        return await self._save_draft(source, reviewed=outcome) == "saved"

    async def apply_text(self, text: str, mode: Literal["insert", "replace"]) -> None:
        """Review a chat reply put into the section (at the cursor, or as a rewrite of it)
        word by word, and save what is kept as one version."""
        if self.editor.section_id is None:
            self.editor.notify("Select a section first.", severity="warning")
            return
        title = "Insert the reply" if mode == "insert" else "Apply the reply as an edit"
        await self.review_and_save(
            lambda: self.editor.proposed_text(text, mode), title, "applied_reply"
        )

    async def review_and_save(
        self, proposed: Callable[[], str], title: str, source: SaveSource
    ) -> bool:
        """Save typing, review `proposed()` (the section as it would be) against the text,
        and save what is kept as one version of `source`; False when nothing was saved."""
        from vicechat_tui.core.review.plan import plan_change

        async with self._lock:  # no autosave between the review and its own version
            if await self._save_draft("edit") != "saved":
                return False
            current = self.editor.text_area.text
            plan = await plan_change(current, proposed())
            outcome = await self.review(plan, title)
            return await self._land_reviewed(outcome, source, was=current)

    async def restore(self, section_id: int, version_id: int) -> None:
        """Review an earlier version against the current text; what is kept is saved as a
        new version (typing is saved first)."""
        from vicechat_tui.core.review.plan import plan_change

        async with self._lock:
            if self.editor.section_id != section_id or await self._save_draft("edit") != "saved":
                return
            versions = await self.workbench.require_core().sections.versions(section_id)
            old = next((version for version in versions if version.id == version_id), None)
            if old is None:
                return
            current = self.editor.text_area.text
            plan = await plan_change(current, old.content)
            outcome = await self.review(plan, f"Restore version {old.version}")
            if await self._land_reviewed(outcome, "restore", was=current):
                self.editor.notify(
                    f"Restored; the section is now at version {self.editor.version}.", timeout=3
                )
