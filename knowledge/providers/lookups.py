"""Questions asked of the provider data by ``explain``, ``smtpbot providers`` and the Slack App Home.

:func:`resolve_provider` (a word -> a provider id), :func:`lookup` (what provider P means by these codes),
:func:`rules_for_code` / :func:`rule_for_token` (who defines an unregistered code or a marker such as
``TSS04``), :func:`redefines`, :func:`catalog`, :func:`provider_ids`, :func:`rules_of`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.providers.loader import _index, _note, norm_word
from knowledge.providers.matching import clean_enh, clean_reply, normalise, score
from knowledge.providers.records import ProviderInfo, _Rule
from knowledge.providers.schema import KINDS

if TYPE_CHECKING:
    from knowledge.results import ProviderNote

_TOKEN_CACHE: dict[str, tuple | None] = {}


def resolve_provider(word: str) -> str | None:
    """Map a word a user typed to a provider id, or ``None`` when unknown.

    Case, spaces, dashes and a leading ``@`` are ignored: ``"Gmail"``,
    ``"google"``, ``"workspace"`` -> ``"gmail"``; ``"o365"``, ``"Office 365"``,
    ``"hotmail"``, ``"exchange"`` -> ``"microsoft"``; ``"aol"`` -> ``"yahoo"``;
    ``"me.com"`` -> ``"icloud"``.  Aliases come from the ``aliases`` field of
    each data file.  Non-string input returns ``None``.
    """
    if not isinstance(word, str) or not word.strip():
        return None
    idx = _index()
    key = norm_word(word)
    pid = idx.aliases.get(key)
    if pid is None and "." in key:
        # A mail domain such as "user@gmail.com" or "outlook.fr": try the part after @.
        key = key.rsplit("@", 1)[-1]
        pid = idx.aliases.get(key)
    return pid


def provider_ids() -> list[str]:
    """All provider ids, sorted."""
    return sorted(_index().providers)


def catalog() -> list[ProviderInfo]:
    """One :class:`ProviderInfo` per provider that has rules, mailbox providers first, then
    filters, then blocklists, each group sorted by name.  A provider whose data file holds only
    reason tables (``[[reason_phrases]]`` / ``[[reason_codes]]``) has no rules to list and is left out."""
    idx = _index()
    rank = {k: i for i, k in enumerate(KINDS)}
    provs = sorted((p for p in idx.providers.values() if p.rules), key=lambda p: (rank[p.kind], p.name.lower()))
    return [
        ProviderInfo(id=p.id, name=p.name, kind=p.kind, rule_count=len(p.rules), doc_url=p.doc_url, aliases=p.aliases)
        for p in provs
    ]


def rules_of(provider_id: str) -> list[ProviderNote]:
    """Every rule of one provider as :class:`ProviderNote`, in file order.

    Raises ``KeyError`` for an unknown provider id (use :func:`resolve_provider`
    first for user input)."""
    prov = _index().providers[provider_id]
    return [_note(r) for r in prov.rules]


def redefines(rule_id: str, enhanced: str | None) -> bool:
    """True when rule ``rule_id`` uses the registered code ``enhanced`` for something other than its
    IANA detail meaning (Gmail's 4.7.27 is "SPF did not pass", IANA's is "sender address has null MX";
    Microsoft's 5.4.1 with an AS id is Directory-Based Edge Blocking, IANA's is "no answer from host").

    Data: the rule's ``redefines`` list.  Unknown rule ids and malformed codes give False.
    Source: the rule's ``doc_url`` and the IANA registry
    (https://www.iana.org/assignments/smtp-enhanced-status-codes)."""
    if not isinstance(rule_id, str):
        return False
    rule = _index().rules.get(rule_id)
    code = clean_enh(enhanced)
    return bool(rule is not None and code is not None and code in rule.redefines)


def returned_only(rule_id: str | None) -> bool:
    """True when rule ``rule_id``'s remedy is for a message that came back (it says to resend, or that
    resending will not help), so it does not fit a message still queued (RFC 3464 Action "delayed").

    Data: the rule's ``returned_only`` field.  Unknown or missing rule ids give False."""
    rule = _index().rules.get(rule_id) if isinstance(rule_id, str) else None
    return bool(rule is not None and rule.returned_only)


def rules_for_code(enhanced: str | None) -> list[ProviderNote]:
    """The providers' own meanings of one enhanced status code: for each provider whose rules list the
    code (exactly or in a range such as ``5.7.700-5.7.749``), its first such rule, providers in id order.

    Input: ``"5.7.708"``; malformed or missing codes give ``[]``.  Used to explain a code that has no
    standard entry (``/smtp 5.7.708``) with the provider that defines it.  Source: each note's ``doc_url``.
    """
    code = clean_enh(enhanced)
    if code is None:
        return []
    idx = _index()
    out = []
    for pid in sorted(idx.providers):
        rule = next((r for r in idx.providers[pid].rules if r.enh_matches(code)), None)
        if rule is not None:
            out.append(_note(rule))
    return out


def rule_for_token(token: str) -> tuple[ProviderNote, str | None, str | None] | None:
    """The provider rule a marker token names, with the codes the provider sends it with.

    Input: a token as a user types it on its own: ``"TSS04"``, ``"[TSS04]"``, ``"CS01"``,
    ``"AS(201806281)"``, ``"S3150"``, ``"AUP#CXBL"``.  Output: ``(note, reply, enhanced)`` where
    ``reply`` / ``enhanced`` are the first codes the rule lists (``"421"``, ``"4.7.0"``; either may be
    None), or None when no rule's ``query_token`` matches the whole token (case-insensitive, brackets
    ignored).  Source: the note's ``doc_url``.
    """
    if not isinstance(token, str):
        return None
    key = token.strip().strip("[]").strip()
    if not key or len(key) > 40:
        return None
    if key.upper() in _TOKEN_CACHE:
        return _TOKEN_CACHE[key.upper()]
    got = None
    for rule in _index().rules.values():
        if rule.query_token and re.fullmatch(rule.query_token, key, re.IGNORECASE):
            got = (_note(rule), *rule.first_codes)
            break
    if len(_TOKEN_CACHE) < 4096:
        _TOKEN_CACHE[key.upper()] = got
    return got


def lookup(provider_id: str, reply_code: str | None, enhanced: str | None, text: str = "") -> ProviderNote | None:
    """The provider's meaning for these codes, or ``None`` when it has no rule.

    ``provider_id`` is an id from :func:`resolve_provider` (an alias is also
    accepted); ``reply_code`` is three digits (``"550"``), ``enhanced`` is
    ``class.subject.detail`` (``"5.7.26"``); either may be ``None``.  ``text``
    (optional) is the server's reply text: when given, rules whose marker text
    appears win over rules that match on codes only.  Without text the first
    rule in the data file listing the code is returned (data files list the
    most common meaning of a code first).  Malformed codes are ignored as if
    absent; an unknown provider returns ``None``.

    Source: the ``doc_url`` of the returned note.
    """
    idx = _index()
    if not isinstance(provider_id, str):
        return None
    prov = idx.providers.get(provider_id) or idx.providers.get(resolve_provider(provider_id) or "")
    if prov is None:
        return None
    reply, enh = clean_reply(reply_code), clean_enh(enhanced)
    if reply is not None and enh is not None and reply[0] != enh[0]:
        enh = None  # contradicting classes: trust the reply code
    lower = normalise(text, reply) if isinstance(text, str) and text else ""
    if reply is None and enh is None and not lower:
        return None
    best: _Rule | None = None
    best_score = -1
    for rule in prov.rules:
        s = score(rule, reply, enh, lower, require_markers=False)
        if s > best_score:
            best, best_score = rule, s
    return _note(best) if best is not None else None
