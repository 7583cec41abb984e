"""What every data file's provenance fields must look like: one definition for all the loaders.

Every entry of a knowledge data file names its ``sources`` and the date they were ``checked``
(see ARCHITECTURE.md, "Data files").  The loaders (``knowledge.reasons``, ``knowledge.providers``,
``knowledge.bounce.formats``, ``knowledge.smtp.commands``) phrase their own error messages; these
two predicates are the rules.  Import-cheap (only :mod:`re`).
"""

from __future__ import annotations

import re

__all__ = ["is_checked_date", "is_source_url"]

# an ISO 8601 calendar date, 1900-2099, written as a quoted string ("2026-12-08")
_CHECKED_DATE = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_SOURCE_URL = re.compile(r"https?://\S+")


def is_checked_date(value: object) -> bool:
    """True for a ``checked`` value written ``YYYY-MM-DD`` with a real month and day (a str; a TOML date
    literal is not accepted, so the cache can store it)."""
    return isinstance(value, str) and _CHECKED_DATE.fullmatch(value) is not None


def is_source_url(value: object) -> bool:
    """True for a source given as an http(s) URL with no white space."""
    return isinstance(value, str) and _SOURCE_URL.fullmatch(value) is not None
