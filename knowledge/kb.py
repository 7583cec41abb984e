"""The loaded knowledge base of reply codes and enhanced status codes, with lookups.

:func:`get_kb` loads ``knowledge/data`` once per process (validated by
:func:`knowledge.entries.load_data`) and caches it; :func:`load_kb` loads any
other directory (tests use it with deliberately broken data).

Sources of the data: RFC 5321 §4.2, SMTP extension RFCs, RFC 3463 and the IANA
"SMTP Enhanced Status Codes" registry
(https://www.iana.org/assignments/smtp-enhanced-status-codes); each entry names
its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge.entries import (
    CuratedNote,
    EnhancedClass,
    EnhancedEntry,
    KnowledgeData,
    ReplyClass,
    ReplyEntry,
    SecondDigit,
    Subject,
    VendorRange,
    load_data,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


def _xform(code: str) -> str:
    """``"5.7.1"`` or ``"X.7.1"`` -> ``"X.7.1"`` (the registry key)."""
    return "X." + code.split(".", 1)[1]


class KnowledgeBase:
    """Lookups over a validated :class:`~knowledge.entries.KnowledgeData`.

    Codes are passed normalised (see :func:`knowledge.codes.parse_code`):
    reply ``"550"``; enhanced ``"5.7.1"`` or ``"X.7.1"``.  Lookups return the
    entry, or None when there is none (never raise for a missing code).
    """

    def __init__(self, data: KnowledgeData) -> None:
        self.data = data

    def reply(self, code: str) -> ReplyEntry | None:
        """The entry of reply code ``code`` ("550"), or None."""
        return self.data.replies.get(code)

    def enhanced(self, code: str) -> EnhancedEntry | None:
        """The entry of enhanced code ``code`` ("5.7.1" or "X.7.1"), or None."""
        if code.count(".") != 2:
            return None
        return self.data.enhanced.get(_xform(code))

    def reply_class(self, digit: str) -> ReplyClass | None:
        """First-digit meaning (RFC 5321 §4.2.1), digit "2".."5"."""
        return self.data.reply_classes.get(digit)

    def second_digit(self, digit: str) -> SecondDigit | None:
        """Second-digit meaning (RFC 5321 §4.2.1), or None for 6-9 (undefined)."""
        return self.data.second_digits.get(digit)

    def enhanced_class(self, digit: str) -> EnhancedClass | None:
        """Enhanced class meaning (RFC 3463 §2), digit "2", "4" or "5"."""
        return self.data.enhanced_classes.get(digit)

    def subject(self, digit: str) -> Subject | None:
        """Enhanced subject meaning (RFC 3463 §2), "0".."7"; None otherwise."""
        return self.data.subjects.get(digit)

    def vendor_range(self, subject: str, detail: str) -> VendorRange | None:
        """A vendor's range of non-registry detail numbers containing X.subject.detail."""
        d = int(detail)
        for vr in self.data.vendor_ranges:
            if vr.subject == subject and vr.detail_from <= d <= vr.detail_to:
                return vr
        return None

    def curated_for(self, codes: set[str]) -> list[CuratedNote]:
        """Curated notes of which at least two codes appear in ``codes`` (normalised codes)."""
        out = []
        for note in self.data.curated:
            if sum(1 for c in note.codes if c in codes) >= 2:
                out.append(note)
        return out

    def reply_codes(self) -> list[str]:
        """Every reply code with an entry, sorted."""
        return sorted(self.data.replies)

    def enhanced_codes(self) -> list[str]:
        """Every enhanced code with an entry (``X.s.d`` form), sorted numerically."""
        return sorted(self.data.enhanced, key=lambda c: tuple(int(x) for x in c[2:].split(".")))


def load_kb(root: Path | str) -> KnowledgeBase:
    """Load and validate the data under ``root``; raises KnowledgeDataError."""
    return KnowledgeBase(load_data(Path(root)))


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The process-wide knowledge base, loaded from ``knowledge/data`` on first call."""
    return load_kb(DATA_DIR)
