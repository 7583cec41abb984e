"""Provider reply families (Sisimai's "rhost" layer): replies of large receivers whose own texts
or internal codes fix the bounce reason, read from the provider data files
(knowledge/data/providers/<id>.toml, keys ``[[reason_codes]]`` and ``[[reason_phrases]]``) in the
order of knowledge/data/reasons/order.toml (``provider_codes``, then ``provider_phrases``).
Like Sisimai's lib/sisimai/rhost/*.rb (BSD); holds no phrase.
"""

from __future__ import annotations

from knowledge.reasons.runtime import tables


def _code_reason(m, codes: dict[str, str], ranges: list) -> str | None:
    code = m.group(1)
    if code in codes:
        return codes[code]
    if ranges and code.isdigit():
        num = int(code)
        for lo, hi, reason in ranges:
            if lo <= num <= hi:
                return reason
    return None


def provider_reason(low: str) -> str | None:
    """Return the reason a provider-specific reply family decides, or None.

    ``low``: lower-cased diagnostic text (codes not removed).  The providers' internal code
    tables (Spectrum AUP# numbers, Orange / La Poste OFR / LPN codes) are read first, then the
    reply texts of Gmail, Mimecast, Yahoo and au (KDDI).
    """
    if not low:
        return None
    t = tables()
    for triggers, pattern, codes, ranges in t.codes:
        if triggers and not any(x in low for x in triggers):
            continue
        m = pattern.search(low)
        if m:
            reason = _code_reason(m, codes, ranges)
            if reason is not None:
                return reason
    index = t.provider
    present = {x for x in index.keys if x in low}  # few keys: cheaper than a TriggerIndex pass
    return index.first(low, present) if present or index.ungated else None
