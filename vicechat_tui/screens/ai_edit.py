"""Edit with AI: a span of the section rewritten by the section's chat model, then reviewed.

The instruction (typed, or a quick action from the config) and the request go into the
section's chat as a message, so the job streams in the chat pane and both the request and the
rewrite stay in the chat's history, to be found and retried. The editor shows the job's
progress in a line of its own while the model writes; escape there (or in the chat) cancels.
When the job completes, the rewrite (cleaned of preambles and fences, `core.review.ai_edit`)
opens in the review screen against the span and what is kept is saved as an "AI edit"
version. If the section changed while the model wrote, nothing is applied: the rewrite stays
in the chat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vicechat_tui.screens.ai_instruction import Instruction, InstructionScreen

if TYPE_CHECKING:
    from vicechat_tui.core.jobs.state import JobState
    from vicechat_tui.screens.chat_controller import ChatController
    from vicechat_tui.screens.section_saving import SectionSaver
    from vicechat_tui.screens.tree_edits import Ask
    from vicechat_tui.widgets.section_editor import SectionEditor

Follow = Callable[["JobState"], None]
"""Show a started job in the chat pane."""


AI_EDIT_SETUP = {"web_search": False}
"""An AI edit rewrites the text it is given: no web research first, even when the chat's
assistant researches (its queries, pages and notes took minutes before a "tighten"); and no
knowledge retrieval either (`retrieval=False`): passages in the prompt made the model put
[n] markers into the rewritten prose."""


async def edit_with_ai(
    request: SectionEditor.AiEditRequested,
    document_id: int,
    *,
    ask: Ask,
    saver: SectionSaver,
    chat: ChatController,
    follow: Follow,
) -> None:
    from vicechat_tui.core.review.ai_edit import clean_rewrite, edit_request
    from vicechat_tui.core.settings import AiEditSettings
    from vicechat_tui.widgets.job_events import forward_job_events

    editor = saver.editor
    settings = saver.workbench.settings
    quick_actions = (settings.ai_edit if settings else AiEditSettings()).quick_actions
    instruction: Instruction | None = await ask(InstructionScreen(quick_actions))
    if instruction is None or editor.section_id != request.section_id:
        return
    if await saver.save() != "saved":
        return
    text = editor.text_area.text
    original = text[request.start : request.end]
    core = saver.workbench.require_core()
    outline = await core.sections.outline(document_id)
    message = edit_request(instruction.text, text, request.start, request.end, outline)
    job = await chat.send(
        document_id,
        request.section_id,
        message,
        typed=False,
        overrides=AI_EDIT_SETUP,
        retrieval=False,
    )  # not typed: the chat's draft stays
    if job is None:
        return
    follow(job)
    progress = editor.ai_edit_started(job.job_id, job.started_at)
    events = core.jobs.subscribe(job.job_id)
    description = "Show the AI edit's progress"
    shown = forward_job_events(editor, progress, events, group="ai-edit", description=description)
    try:
        state = await core.jobs.wait(job.job_id)
    finally:
        shown.cancel()
        editor.ai_edit_ended(job.job_id)
    if state.status != "completed":
        editor.notify(f"The AI edit ended {state.status}; the section is unchanged.")
        return
    if editor.section_id != request.section_id or editor.text_area.text != text:
        editor.notify("The section changed meanwhile; the rewrite is in the chat.")
        return
    rewrite = clean_rewrite(state.text, original)
    proposed = text[: request.start] + rewrite + text[request.end :]
    await saver.review_and_save(lambda: proposed, f"AI edit: {instruction.label}", "ai_edit")
