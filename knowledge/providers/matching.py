"""Matching a pasted response against the provider rules: :func:`match` and :func:`match_fields`.

Matching is precise rather than eager: a rule without markers only applies once the provider is
identified by a host name (in ``hosts`` or in the text) or by a signature; a generic ``550 5.7.1`` from
an unknown host matches nothing.  The hot path does lower-casing once, then substring tests, and runs a
regex only when a rule's cheap literal test already passed.  All regexes are linear (no nested
quantifiers) so no catastrophic backtracking is possible.  Cost: see ``benchmarks/provider_match.py``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from knowledge.providers.loader import _index, _note
from knowledge.providers.records import _ENH_RE, _REPLY_RE, _Index, _Provider, _Rule

if TYPE_CHECKING:
    from knowledge.results import ProviderNote

# First code pair in a text, used only when the caller passes no codes.
_CODES_IN_TEXT = re.compile(
    r"(?<![0-9.])([245][0-9][0-9])(?:[ -]+([245]\.[0-9]{1,3}\.[0-9]{1,3}))?(?![0-9])"
)
# Continuation prefixes inside a folded multi-line reply ("... multiple 550 5.7.1 addresses ...",
# "550-5.7.26 domain's DMARC policy") that would split marker phrases; removed before marker tests.
_CONTINUATION = re.compile(r"(?<=\s)[245][0-9][0-9][ -](?:[245]\.[0-9]{1,3}\.[0-9]{1,3}\s)?")
_ENH_IN_TEXT = re.compile(r"(?<![0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9.])")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


# --------------------------------------------------------------------------- inputs


def clean_reply(code: str | None) -> str | None:
    """A reply code (``" 550"`` -> ``"550"``), or None when it is not three digits 2xx-5xx."""
    if not code or not isinstance(code, str):
        return None
    code = code.strip()
    return code if _REPLY_RE.match(code) else None


def clean_enh(code: str | None) -> str | None:
    """An enhanced status code without leading zeros (``"5.7.026"`` -> ``"5.7.26"``, RFC 3463 numbers have
    none), or None when malformed."""
    if not code or not isinstance(code, str):
        return None
    m = _ENH_RE.match(code.strip())
    if not m:
        return None
    return f"{m.group(1)}.{int(m.group(2))}.{int(m.group(3))}"


def normalise(text: str, reply: str | None = None) -> str:
    """Lower-case, collapse white space and drop continuation code prefixes of a folded reply."""
    lower = text.lower()
    if "\n" in lower or "  " in lower or "\t" in lower or "\r" in lower:
        lower = " ".join(lower.split())
    # Only a reply code seen twice (or "NNN-" continuation) means folded lines to clean up.
    if (reply is not None and lower.count(reply) > 1) or (reply is None and "-" in lower):
        lower = _CONTINUATION.sub("", lower)
    return lower


def _hosts_around(lower: str, anchor: str) -> Iterable[str]:
    """Host names in ``lower`` that contain ``anchor`` (expanded to host-name characters)."""
    start = lower.find(anchor)
    n = len(lower)
    while start != -1:
        left = start
        while left > 0 and lower[left - 1] in _HOST_CHARS:
            left -= 1
        right = start + len(anchor)
        while right < n and lower[right] in _HOST_CHARS:
            right += 1
        yield lower[left:right].strip(".-")
        start = lower.find(anchor, right)


def _host_key(host: str) -> str:
    h = host.strip().lower()
    if ";" in h:  # "dns; mx.example.net" (RFC 3464 Remote-MTA)
        h = h.rsplit(";", 1)[-1].strip()
    h = h.split()[0] if h.split() else h
    return h.strip("[]()<>").rstrip(".")


def _codes(reply_code: str | None, enhanced: str | None, text: str) -> tuple[str | None, str | None]:
    """The (reply, enhanced) codes to match with: the given ones, else the first pair in ``text``."""
    reply, enh = clean_reply(reply_code), clean_enh(enhanced)
    if reply is None and enh is None and text:
        m = _CODES_IN_TEXT.search(text)
        if m:
            reply, enh = m.group(1), clean_enh(m.group(2))
        else:
            m = _ENH_IN_TEXT.search(text)
            if m:
                enh = clean_enh(m.group(1))
    if reply is not None and enh is not None and reply[0] != enh[0]:
        enh = None  # contradicting classes (e.g. a DSN Status: 4.0.0 beside "550 ..."): trust the server's reply
    return reply, enh


# --------------------------------------------------------------------------- scoring


def score(rule: _Rule, reply: str | None, enh: str | None, lower: str, require_markers: bool) -> int:
    """Score one rule against the codes and lower-cased text; -1 = no match.

    Marker text present: 16; enhanced code listed: 8; reply code listed: 4.  A listed code that differs
    excludes the rule unless its marker is present and the class agrees; a rule written for an enhanced
    code does not match a reply code alone."""
    s = 0
    marker_hit = False
    if rule.markers:
        for mk in rule.markers:
            if mk in lower:
                marker_hit = True
                break
        if marker_hit and rule.pattern is not None:
            marker_hit = rule.pattern.search(lower) is not None
        if marker_hit:
            s += 16
        elif require_markers:
            return -1
    code_hit = False
    if enh is not None and rule.has_enhanced:
        if rule.enh_matches(enh):
            s += 8
            code_hit = True
        elif not marker_hit or enh[0] not in rule.classes:
            return -1
    if reply is not None and rule.reply:
        if reply in rule.reply:
            s += 4
            code_hit = True
        elif not marker_hit or reply[0] not in rule.classes:
            return -1
    if not marker_hit:
        # A reply code alone ("550") says too little to pick a rule written for an enhanced code.
        return -1 if not code_hit or (enh is None and rule.has_enhanced) else s
    # A marker rule still must not cross classes (a 2xx is never a failure rule).
    for c in (reply, enh):
        if c is not None and rule.classes and c[0] not in rule.classes:
            return -1
    return s


def specificity(rule: _Rule, lower: str, signatures: tuple[str, ...] = ()) -> int:
    """How specific the rule's evidence in ``lower`` is: the length of the longest text it recognised there
    (one of its markers, or the span its pattern matched), since a longer literal is rarer: "mailbox is
    disabled" says more than a short code prefix.  The provider's own signatures inside a marker do not
    count: "zen.spamhaus.org" says who answered, "open resolver" what went wrong.  0 when no marker is present."""
    longest = 0
    present = False
    for mk in rule.markers:
        if mk in lower:
            present = True
            w = len(mk)
            for sig in signatures:
                if sig in mk:
                    w -= len(sig)
            if w > longest:
                longest = w
    if not present:
        return 0
    if longest and rule.pattern is not None:
        m = rule.pattern.search(lower)
        if m is not None and m.end() - m.start() > longest:
            longest = m.end() - m.start()
    return max(longest, 1)


# --------------------------------------------------------------------------- matching


def _identified(idx: _Index, lower: str, hosts: Iterable[str]) -> dict[str, _Provider]:
    """The providers a host in ``hosts``, a host name in the text or a signature identifies."""
    host_keys: list[str] = []
    if hosts:
        try:
            host_keys = [_host_key(h) for h in hosts if isinstance(h, str) and h.strip()]
        except TypeError:
            host_keys = []
    identified: dict[str, _Provider] = {}
    for hk in host_keys:
        prov = idx.provider_of_host(hk)
        if prov is not None:
            identified[prov.id] = prov
    if not lower:
        return identified
    literals, owners = idx.literal_index
    for lit in [lit for lit in literals if lit in lower]:
        for prov, is_signature in owners[lit]:
            if prov.id in identified:
                continue
            if is_signature or any(idx.provider_of_host(h) is prov for h in _hosts_around(lower, lit)):
                identified[prov.id] = prov
    return identified


def _candidates(idx: _Index, identified: dict[str, _Provider], cls: str, lower: str) -> list[_Rule]:
    """The rules worth scoring: the identified providers' rules of this class whose markers (if any) are
    present, then the identifying rules of other providers whose marker is present."""
    out: list[_Rule] = []
    for prov in identified.values():
        for rule in prov.by_class.get(cls, prov.rules):
            for mk in rule.markers:
                if mk in lower:
                    out.append(rule)
                    break
            else:
                if not rule.markers:
                    out.append(rule)
    if not lower:
        return out
    others: list[_Rule] = []
    markers, marker_rules = idx.marker_index.get(cls, idx.marker_index[""])
    for mk in [mk for mk in markers if mk in lower]:
        for rule in marker_rules[mk]:
            if rule.provider_id not in identified and rule not in others:
                others.append(rule)
    return out + others


def _match_rule(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> _Rule | None:
    """The provider rule that explains a pasted response, or ``None`` (inputs as :func:`match_fields`).

    Per provider, the best rule: a rule whose marker text is present beats one matched on codes only; among
    marker rules the more specific marker wins (a pattern that matched, then the longest marker present)
    before code points, so a provider-wide prefix ("delivery error: dd") or a rule that lists an enhanced
    code cannot outrank the rule whose own words are in the text ("mailbox is disabled").  Across providers
    the best score wins, an identified provider first on ties (marker text > enhanced code > reply code),
    then file order.
    """
    idx = _index()
    if not isinstance(text, str):
        text = ""
    reply, enh = _codes(reply_code, enhanced, text)
    lower = normalise(text, reply) if text else ""
    for c in (reply, enh):
        if c is not None and c[0] in "23":
            return None  # success / intermediate replies are never a provider's failure rule
    identified = _identified(idx, lower, hosts)
    per_provider: dict[str, tuple[tuple[int, int, int, int], int, _Rule]] = {}
    for rule in _candidates(idx, identified, (reply or enh or "")[:1], lower):
        s = score(rule, reply, enh, lower, require_markers=True)
        if s < 0:
            continue
        spec = specificity(rule, lower, idx.providers[rule.provider_id].signatures) if rule.markers else 0
        rank = (1 if spec else 0, spec, s, -rule.order)
        cur = per_provider.get(rule.provider_id)
        if cur is None or rank > cur[0]:
            per_provider[rule.provider_id] = (rank, s, rule)
    best: _Rule | None = None
    best_key: tuple[int, int, int] = (-1, 0, 0)
    for _rank, s, rule in per_provider.values():
        ident = 1 if rule.provider_id in identified else 0
        key = (s + ident, ident, -rule.order)
        if key > best_key:
            best, best_key = rule, key
    return best


def match(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> ProviderNote | None:
    """The provider rule that explains a pasted response, as a
    :class:`knowledge.results.ProviderNote`, or ``None``.  Same inputs and
    matching as :func:`match_fields`."""
    rule = _match_rule(reply_code, enhanced, text, hosts)
    return _note(rule) if rule is not None else None


def match_fields(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> tuple[str, str, str, str, str | None] | None:
    """The provider rule that explains a pasted response, as plain ``(provider name, rule id, remedy, doc
    URL, reason)``, or None: the fast path of ``smtpbot annotate --format json`` (no pydantic models).

    Input: ``reply_code`` (``"550"``) and ``enhanced`` (``"5.7.26"``), either may be ``None`` -- when both
    are ``None`` the first code pair found in ``text`` is used; ``text`` is the reply text /
    Diagnostic-Code as sent; ``hosts`` are host names known for the response (RFC 3464 Remote-MTA, the MX
    the sender connected to; ``"dns; mx.example.net"`` is accepted).  ``reason`` is the rule's Sisimai
    bounce reason (``"blocked"``) or None when its data gives none.

    A rule that lists marker text needs that text to be present (codes alone are not enough: Microsoft
    sends 5.7.1 for a dozen different reasons); rules without markers apply on codes once the provider is
    identified: one of its MX/outbound host globs matches a host in ``hosts`` or a host name in ``text``,
    or one of its signatures (``gsmtp``, ``zen.spamhaus.org`` ...) appears in ``text``.  Rules marked
    ``identifies`` match on their marker text alone.  A response from an unidentified host with no
    distinctive marker (e.g. a generic ``550 5.7.1 Relaying denied``) returns ``None``.

    Cost: one ``lower()``, a few hundred substring tests, regexes only on candidates; well under 0.1 ms
    for a 300-character text (see ``benchmarks/provider_match.py``).  Never raises on odd input.
    """
    rule = _match_rule(reply_code, enhanced, text, hosts)
    if rule is None:
        return None
    return _index().providers[rule.provider_id].name, rule.id, rule.remedy, rule.doc_url, rule.reason
