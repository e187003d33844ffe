"""Knowledge collections: a person's own files, read into passages and retrieved for chats.

- `readers.py` turns a file's bytes into blocks of text with their place (heading path,
  page or line) and character offsets: Markdown, plain text, HTML, PDF, DOCX;
- `chunking.py` groups blocks into passages of bounded size;
- `ingest.py` walks files and folders, skips what has not changed (content hashes), reports
  bad files by name and stores passages in batches;
- `retrieval.py` finds the passages a question needs (full-text, `core/search`).

`services/knowledge.py` is the service the CLI, the UI and chat jobs use. Nothing here is
imported at start-up.
"""
