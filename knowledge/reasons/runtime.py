"""The reason data in its working form, built once on first use from :func:`knowledge.reasons.loader.load`.

:func:`tables` returns the compiled family indexes of each tier, the provider tier, the named
phrase sets and the status tables; :func:`data` the validated plain data.  Holds no phrase.
"""

from __future__ import annotations

import functools
import re

from knowledge.reasons.families import Family, FamilyIndex, PhraseSet, TriggerIndex
from knowledge.reasons.triggers import literal_triggers


@functools.cache
def data() -> dict:
    """The validated reason data (plain dicts; see knowledge.reasons.loader)."""
    from knowledge.reasons.loader import load

    return load()


def _families(entries: list[dict]) -> list[Family]:
    return [Family(e["name"], e["reason"], e["phrases"], [tuple(p) for p in e["patterns"]]) for e in entries]


class Tables:
    """Compiled forms of the reason data: ``strong`` / ``generic`` / ``weak`` / ``provider``
    (:class:`FamilyIndex`), ``triggers`` (the :class:`TriggerIndex` of the first three), ``codes``
    (provider code tables), ``sets`` (:class:`PhraseSet` by name) and the status tables."""

    def __init__(self, d: dict) -> None:
        order = d["order"]
        self.strong = FamilyIndex(_families(order["strong"]))
        self.generic = FamilyIndex(_families(order["generic"]))
        self.weak = FamilyIndex(_families(order["weak"]))
        self.triggers = TriggerIndex(index=d["trigger_index"])
        self.provider = FamilyIndex(_families(order["provider_phrases"]))
        self.codes = [(literal_triggers(c["pattern"]) or (), re.compile(c["pattern"]), c["codes"], c["ranges"])
                      for c in order["provider_codes"]]
        self.sets = {n: PhraseSet(n, s["phrases"], [tuple(p) for p in s["patterns"]]) for n, s in d["sets"].items()}
        st = d["status"]
        self.subject_detail: dict[str, str] = st["subject_detail"]
        self.class_specific: dict[str, str] = st["class_specific"]
        self.generic_status = frozenset(st["generic"])
        self.specific_over_text = frozenset(st["specific_over_text"])
        self.address_status = re.compile(st["address_status"])
        self.hard = frozenset(r for r, e in d["reasons"].items() if e["hard"])


@functools.cache
def tables() -> Tables:
    """The compiled reason data, built on first use."""
    return Tables(data())
