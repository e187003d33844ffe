"""Async service layer: the operations the UI and the CLI offer, with their errors."""
