"""Reusable widgets of the vicechat UI. They render what they are given and post messages;
they never import a screen and never call the core (the screens do).

- `DocumentTree` (document_tree): documents and nested sections, read lazily from a
  `TreeSource`; its editing keys post `DocumentTree.EditRequested`.
- `SectionEditor` (section_editor): Markdown editing with autosave requests.
- `ChatPane` (chat_pane): the chat of the selected section, with live replies
  (`ChatLog`, `ChatMessageView`, `MessageBody`, `JobProgress`, `SourcesList`, `ChatInput`);
  made of parts on `ChatPaneBase` (chat_pane_base: its messages and state): `ChatQueue`
  (chat_queue), `LiveReply` (chat_live_reply), `ChatActions` (chat_actions); its keys are
  `CHAT_BINDINGS` (chat_bindings).
- `plain`, `literal`, `visible_controls`, `visible_title` (safe_text): show stored or model
  text literally, control characters (and in titles zero-width ones) as symbols.
- `SafeTextArea` (safe_text_area), `SafeInput` (safe_input): edit stored text; control
  characters drawn as symbols, the text given back exactly.
- `forward_job_events` and the job messages (job_events): core job events as messages.
- `class_bindings`, `key_display`, `key_for_action` (key_hints): keys as remapped.
"""

from __future__ import annotations
