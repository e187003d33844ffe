"""Storing what the section editor holds: saves, edit conflicts, restores, applied replies.

`SectionSaver` is a controller the workspace screen owns. Saves are based on the version the
editor loaded (`save_content(based_on_version=...)`); when the section changed elsewhere the
conflict dialog offers keep-mine / take-theirs / view both, and nothing is overwritten
silently. A failed save keeps the text in the editor and says so.

Versions are made at meaningful moments: an explicit save, leaving the section, applying a
reply and restoring are checkpoints; autosaves (`save(checkpoint=False)`) go on updating one
version. A checkpoint with no new text keeps the autosaved version as it is
(`sections.checkpoint`), so the next typing starts a version of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

from vicechat_tui.core.errors import EditConflictError
from vicechat_tui.screens.conflict import ConflictScreen
from vicechat_tui.screens.tree_edits import Ask
from vicechat_tui.widgets.section_editor import Draft, SectionEditor
from vicechat_tui.workbench import Workbench

SaveResult = Literal["saved", "conflict", "failed"]
SaveSource = Literal["edit", "applied_reply"]
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

    async def _save_draft(self, source: SaveSource, *, checkpoint: bool = True) -> SaveResult:
        """`save` for a caller that holds the lock."""
        from vicechat_tui.core.models import VersionSource  # SQLModel: not before the first frame

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
            section = await self.workbench.require_core().sections.save_content(
                draft.section_id,
                draft.text,
                based_on_version=draft.based_on_version,
                source=VersionSource(source),
                checkpoint=checkpoint,
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
        try:
            choice = await self.ask(
                ConflictScreen(
                    title=conflict.current_title,
                    mine=draft.text,
                    theirs=conflict.current_content,
                    based_on_version=conflict.based_on_version,
                    current_version=conflict.current_version,
                )
            )
        finally:
            self.conflict_open = False
        section_id = draft.section_id
        showing = self.editor.section_id == section_id
        if choice == "theirs" and showing:
            self.editor.load(section_id, conflict.current_version, conflict.current_content)
        elif choice == "mine" and showing:
            self.editor.rebase(section_id, conflict.current_version, conflict.current_content)
            await self.save()
        elif choice == "mine":
            await self.workbench.require_core().sections.save_content(
                section_id, draft.text, based_on_version=conflict.current_version
            )

    async def apply_text(self, text: str, mode: Literal["insert", "replace"]) -> None:
        """Put a chat reply into the section (at the cursor or instead of it) and save it."""
        if self.editor.section_id is None:
            self.editor.notify("Select a section first.", severity="warning")
            return
        async with self._lock:  # no autosave between the text going in and its own version
            if await self._save_draft("edit") != "saved":
                return
            self.editor.put_text(text, mode)
            await self._save_draft("applied_reply")

    async def restore(self, section_id: int, version_id: int) -> None:
        """Make an earlier version current again (as a new version), saving typing first."""
        async with self._lock:
            if self.editor.section_id != section_id or await self._save_draft("edit") != "saved":
                return
            section = await self.workbench.require_core().sections.restore(
                section_id, version_id, based_on_version=self.editor.version
            )
            self.editor.load(section_id, section.version, section.content)
        self.editor.notify(f"Restored; the section is now at version {section.version}.", timeout=3)
