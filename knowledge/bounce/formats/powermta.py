"""PowerMTA DSNs carry PowerMTA's own classification of the failure in the
RFC 3464 extension field ``X-PowerMTA-BounceCategory``; its categories map to
Sisimai reasons in knowledge/data/formats/powermta.toml (``categories``).

Sources: PowerMTA User's Guide, "Bounce categories"; Sisimai lhost/powermta.rb
(BSD).  Fixture: tests/fixtures/bounces/powermta/powermta-category.eml.
"""

from __future__ import annotations

from knowledge.bounce.formats.data import category_table

__all__ = ["FIELD", "field_reason"]

FIELD = "x-powermta-bouncecategory"


def field_reason(value: str) -> str | None:
    """The reason a bounce category names ("bad-mailbox" -> "userunknown"), or None when unknown."""
    return category_table("powermta").get(value.strip().lower())
