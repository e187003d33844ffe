"""Chat jobs: each reply runs as an asynchronous job that streams events (see API.md)."""
