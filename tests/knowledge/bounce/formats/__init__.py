"""Tests of the bounce formats (knowledge/bounce/formats/, knowledge/data/formats/): one file per format."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures" / "bounces"
SHARED_BOUNCES = REPO.parent / "shared" / "corpus" / "bounces"


def context(path: Path):
    """The :class:`knowledge.bounce.formats.base.Context` of a message file, as parse_bytes builds it."""
    from knowledge.bounce import _context, mime

    return _context(mime.load(path.read_bytes()))


def shared(name: str) -> Path:
    """A message of the shared corpus (../shared/corpus/bounces); skips the test when it is absent."""
    path = SHARED_BOUNCES / name
    if not path.is_file():
        pytest.skip("shared corpus not present")
    return path
