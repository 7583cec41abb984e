"""Explaining a code as a provider uses it: the provider's meaning first, one short standard line under it.

Reads the provider knowledge through :mod:`knowledge.providers`, always through :func:`_providers` so that a
problem in the provider data never breaks the standard answer.  :func:`explain_with_provider` and
:func:`standard_line` are public; the rest serves :func:`knowledge.explain.explain`.
"""

from __future__ import annotations

from knowledge.explain.codes import _SHORT_CLASS, explain_code
from knowledge.kb import get_kb
from knowledge.results import CodeExplanation, ProviderNote

def _providers(fn_name: str, *args, default=None):
    """Call ``knowledge.providers.<fn_name>(*args)``; on any error (broken provider data
    files, odd input) return ``default`` so that the RFC / IANA explanation still stands."""
    try:
        from knowledge import providers

        return getattr(providers, fn_name)(*args)
    except Exception:  # noqa: BLE001 - see docstring
        return default


def _resolve_provider(word: str | None) -> str | None:
    return _providers("resolve_provider", word) if word else None


def _provider_name(provider_id: str) -> str:
    for info in _providers("catalog", default=()):
        if info.id == provider_id:
            return info.name
    return provider_id


def _parts(item: CodeExplanation) -> tuple[str | None, str | None]:
    reply = item.code if item.kind == "reply" else (item.parts[0].code if item.kind == "combined" else None)
    enh = item.code if item.kind == "enhanced" else (item.parts[1].code if item.kind == "combined" else None)
    return reply, enh


def _provider_note(provider_id: str, item: CodeExplanation):
    reply, enh = _parts(item)
    return _providers("lookup", provider_id, reply, enh)


def _provider_redefines(rule_id: str, enhanced: str) -> bool:
    return bool(_providers("redefines", rule_id, enhanced, default=False))


def standard_line(std: CodeExplanation, rule_id: str | None = None) -> tuple[str, bool]:
    """One short line with the standard meaning under a provider's meaning, and whether it is class-level.

    ``std``: :func:`explain_code`'s answer; ``rule_id``: the matched provider rule.  When the enhanced
    code has no entry (derived) or the provider uses its registered number for something else
    (``knowledge.providers.redefines``), the line gives only the class and subject, which hold whatever
    the detail number means: ``("Standard: 5.7.x = permanent failure, security or policy", True)``.
    Otherwise it names the entry: ``("Standard: 5.1.1 = Bad destination mailbox address", False)``.
    A reply code alone gives its title, or its class when it has no entry.
    Sources: RFC 3463 §2 (class, subject), RFC 5321 §4.2.1 (reply code classes).
    """
    enh = std if std.kind == "enhanced" else (std.parts[1] if std.kind == "combined" and len(std.parts) > 1 else None)
    if enh is not None:
        c, s, _ = enh.code.split(".")
        if enh.derived or (rule_id and _provider_redefines(rule_id, enh.code)):
            subject = get_kb().subject(s)
            cls = _SHORT_CLASS.get(c)
            what = ", ".join(x for x in (cls, subject.name if subject else None) if x) or "undefined class and subject"
            return f"Standard: {c}.{s}.x = {what}", True
        return f"Standard: {enh.code} = {enh.title}", False
    reply = std.parts[0] if std.kind == "combined" and std.parts else std
    if reply.derived:
        return f"Standard: {reply.code[0]}xx = {_SHORT_CLASS.get(reply.code[0], reply.class_)}", True
    return f"Standard: {reply.code} = {reply.title}", False


def explain_with_provider(reply_code: str | None, enhanced: str | None,
                          note: ProviderNote | None) -> CodeExplanation:
    """Explain a code as a given provider uses it: the provider's meaning, then one short standard line.

    Input: ``reply_code`` / ``enhanced`` as for :func:`explain_code`; ``note``
    the :class:`ProviderNote` of the provider rule that matched (for example
    from ``knowledge.providers.match`` or ``lookup``), or None.
    Output: with ``note=None``, exactly :func:`explain_code`'s answer.
    Otherwise a copy with ``provider=note``, ``title`` = the provider's title
    followed by the provider name (``"Recipient rejected by Directory-Based
    Edge Blocking (Microsoft 365)"``), ``meaning`` = ``"<provider>: <provider's
    meaning> <standard line>"`` where the standard line is one sentence from
    :func:`standard_line` (the class and subject when the code is derived or the
    provider redefines its detail number, e.g. ``"Standard: 5.4.x = permanent
    failure, network and routing"`` for Microsoft's 5.4.1 DBEB; else the
    entry's title), never the full generic text (which would contradict the
    provider's).  ``fix`` = the provider's remedy, followed by the general
    advice only when the standard entry applies as registered; ``retry``
    prefixed with the provider's verdict when it gives one.  Class, subject,
    standing, related, sources and ``parts`` stay the standard ones (the full
    standard text is :func:`explain_code`'s; the provider's ``doc_url`` is added
    to ``source``).
    Raises as :func:`explain_code` for malformed codes.
    Sources: the provider's documentation (``note.doc_url``); RFC 5321 §4.2,
    RFC 3463 and the IANA registry for the standard part.
    """
    std = explain_code(reply_code, enhanced)
    if note is None:
        return std
    retry = std.retry
    if note.retry_helps is True:
        retry = f"{note.provider}: retrying later can work. {std.retry}"
    elif note.retry_helps is False:
        retry = f"{note.provider}: retrying unchanged does not help. {std.retry}"
    line, class_level = standard_line(std, note.rule_id)
    fix = note.remedy if class_level else f"{note.remedy} General advice for {std.code}: {std.fix}"
    return std.model_copy(update={
        "provider": note,
        "title": f"{note.title} ({note.provider})",
        "meaning": f"{note.provider}: {note.meaning} {line}",
        "fix": fix,
        "retry": retry,
        "source": list(dict.fromkeys([*std.source, note.doc_url])),
    })


def _rule_for_token(token: str):
    return _providers("rule_for_token", token)


def _rules_for_code(enhanced: str) -> list[ProviderNote]:
    return _providers("rules_for_code", enhanced, default=[])


def _marker_item(token: str, hit) -> CodeExplanation:
    """A provider marker asked about on its own ("TSS04"): the rule's meaning, for the codes it comes with."""
    note, reply, enh = hit
    shown = token.strip().strip("[]").upper()
    item = explain_with_provider(reply, enh, note)
    codes = " ".join(c for c in (reply, enh) if c)
    return item.model_copy(update={"notes": [
        *item.notes,
        f"{shown} is {note.provider}'s own marker, not an SMTP code; it comes in the reply text, "
        f"typically with {codes}. The explanation below is {note.provider}'s meaning.",
    ]})


def _with_defining_provider(item: CodeExplanation) -> CodeExplanation:
    """A code with no standard entry whose enhanced code providers define: one provider -> its meaning
    ("Microsoft 365 uses 5.7.708 for ..."), several -> a note naming them."""
    _, enh = _parts(item)
    if not enh or enh[0] == "X":
        return item
    enh_item = item if item.kind == "enhanced" else item.parts[1]
    if not enh_item.derived:
        return item
    notes = _rules_for_code(enh)
    if len(notes) == 1:
        note = notes[0]
        reply = item.parts[0].code if item.kind == "combined" else None
        out = explain_with_provider(reply, enh, note)
        line, _ = standard_line(explain_code(reply, enh), note.rule_id)
        return out.model_copy(update={
            "meaning": f"{note.provider} uses {enh} for this: {note.meaning} {line}",
            "notes": [*out.notes, f"{enh} is not in the IANA registry; only {note.provider} is known to send it. "
                      "Another server could use the number differently."],
        })
    if len(notes) > 1:
        names = "; ".join(f"{n.provider} ({n.title})" for n in notes)
        return item.model_copy(update={"notes": [
            *item.notes, f"{enh} is not in the IANA registry; providers with their own meaning for it: {names}. "
            "Ask with the provider's name for its meaning."]})
    return item
