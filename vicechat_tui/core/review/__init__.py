"""Reviewing a change before it lands in a section: word-level diffs, accepting a subset of
the changes, and three-way merges (`tokens`, `diff`, `merge`). Plain Python, no UI."""
