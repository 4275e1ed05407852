"""Where the real-feed corpus lives, and how tests that need it skip when it is absent.

The corpus is third-party text: it stays in ../shared/corpus beside the clone and is never
copied into the project.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import feedparser
import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NO_CORPUS = "real-feed corpus not found at ../shared/corpus (a clone without ../shared)"


@functools.cache
def parsed_feed(name: str):
    """feedparser's view of a corpus file (`feeds/…` or `feeds-malformed/…`), parsed once."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(NO_CORPUS)
    return feedparser.parse(io.BytesIO(path.read_bytes()))
