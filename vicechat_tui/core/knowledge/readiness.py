"""Whether a collection can be searched by meaning: how many of its passages have a vector
from the current embedding model, in words the CLI and the knowledge screen share."""

from __future__ import annotations

NO_EMBEDDING_MODEL = (
    "No provider has an embedding_model: collections are searched by keywords only."
)
MISSING_VECTORS = (
    "Passages without vectors get them when their files are added again "
    "(vectors are made after the files are read; a failed or stopped run leaves some out)."
)


def vector_share(passages: int, vectors: int, model: str | None) -> str:
    """How many of `passages` have a vector from `model`, in a few words ('' with no model)."""
    if model is None:
        return ""
    if passages and vectors >= passages:
        return f"all with vectors ({model})"
    return f"{vectors} of {passages} with vectors ({model})"
