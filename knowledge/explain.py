"""Explain SMTP codes: one code, a reply code with its enhanced code, or several.

Public API:

* :func:`explain_code` -- one :class:`~knowledge.results.CodeExplanation` for a
  reply code, an enhanced status code, or both (kind ``combined``).
* :func:`explain` -- an :class:`~knowledge.results.ExplainResult` for a list of
  query strings (items in input order, one-line errors for malformed input, a
  :class:`~knowledge.results.Comparison` when two or more items were explained).
* :func:`extract_queries` -- pull code tokens and a provider word out of free
  text such as ``"what's 421 vs 450?"``.

Meanings come from the knowledge base (RFC 5321 §4.2, extension RFCs, RFC 3463,
IANA registry).  A well-formed code with no entry gets an answer derived from
its digits (RFC 5321 §4.2.1; RFC 3463 §2) marked ``derived=True``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.codes import MalformedCode, parse_code, printable
from knowledge.kb import get_kb
from knowledge.results import CodeExplanation, ExplainResult, ProviderNote

__all__ = ["MAX_CODES", "explain", "explain_code", "explain_with_provider", "extract_queries", "standard_line"]

MAX_CODES = 10
"""At most this many distinct codes are explained per request; the rest are
reported in ``ExplainResult.errors``."""

RFC5321_DIGITS = "RFC 5321 §4.2.1"
RFC3463_DIGITS = "RFC 3463 §2"

_LABEL_WARNING = {
    "folklore": (
        "Warning: {code} is not a standard SMTP reply code. No RFC defines it; it comes from "
        "copied lists of 'SMTP error codes' and real servers seldom send it. If you do see it, "
        "go by its first digit and the text that follows."
    ),
    "draft": (
        "Warning: {code} is not a standard SMTP reply code. It was proposed in an Internet-Draft "
        "that never became an RFC, so almost no server sends it."
    ),
    "vendor": (
        "Warning: {code} is not a standard SMTP reply code. Some server software sends it, but no "
        "RFC defines it; go by its first digit and the text that follows."
    ),
}


# --------------------------------------------------------------------------
# single codes

def _reply_explanation(code: str) -> CodeExplanation:
    kb = get_kb()
    cls = kb.reply_class(code[0])
    class_text = f"{code[0]}xx {cls.name}"
    entry = kb.reply(code)
    if entry is not None:
        meaning = entry.meaning
        if entry.label:
            meaning = _LABEL_WARNING[entry.label].format(code=code) + " " + meaning
        return CodeExplanation(
            code=code, kind="reply", class_=class_text, title=entry.title, meaning=meaning,
            when=entry.when, fix=entry.fix, who_acts=list(entry.who_acts), retry=entry.retry,
            standing=entry.standing, related=[r for r in entry.related if r != code], source=list(entry.source),
        )
    second = kb.second_digit(code[1])
    if second is not None:
        second_text = f"second digit {code[1]} ({second.name}): {second.meaning}"
        cat = second.name
    else:
        second_text = (f"second digit {code[1]} is not defined by RFC 5321 (only 0 to 5 are), "
                       "so this is not a standard code")
        cat = "undefined category"
    meaning = (
        f"{code} has no entry here, so this answer is derived from its digits alone "
        f"({RFC5321_DIGITS}). First digit {code[0]} ({cls.name}): {cls.meaning} "
        f"Its {second_text}. The third digit only grades the detail; the text the server sent "
        "after the code says what actually happened."
    )
    return CodeExplanation(
        code=code, kind="reply", class_=class_text,
        title=f"Unlisted {cls.name} reply ({cat})",
        meaning=meaning,
        when="Not known from the digits alone: it answers whichever command was just sent (or is the greeting).",
        fix=cls.fix, who_acts=list(cls.who_acts), retry=cls.retry, standing="derived", derived=True,
        source=[RFC5321_DIGITS],
    )


def _enhanced_explanation(code: str, class_hint: str | None = None) -> CodeExplanation:
    """``class_hint``: the reply code's class digit, used to pick the
    class-specific meaning when the enhanced code is given as ``X.s.d``."""
    kb = get_kb()
    c, s, d = code.split(".")
    subject = kb.subject(s)
    subject_text = f"X.{s}.X {subject.name}" if subject else f"X.{s}.X undefined subject"
    if c == "X":
        class_text = "X.X.X class not given (registry notation: the same detail is used with 2, 4 or 5)"
        cls_retry = ("Depends on the class digit the server puts in place of X: 2 is success, 4 is "
                     "temporary (the sending MTA retries), 5 is permanent (it does not).")
        cls = None
    else:
        cls = kb.enhanced_class(c)
        class_text = f"{c}.X.X {cls.name}"
        cls_retry = cls.retry
    entry = kb.enhanced(code)
    if entry is not None:
        retry = cls_retry if not entry.retry else f"{cls_retry} {entry.retry}"
        # the class changes what some codes mean (4.4.7 delay warning, 5.4.7 bounce)
        eff = c if c != "X" else (class_hint or "")
        meaning = entry.class_meaning.get(eff, entry.meaning)
        fix = entry.class_fix.get(eff, entry.fix)
        if entry.standing != "registry":
            meaning = (f"Note: X.{s}.{d} is not in the IANA enhanced status code registry. " + meaning)
        return CodeExplanation(
            code=code, kind="enhanced", class_=class_text, subject=subject_text, title=entry.title,
            meaning=meaning, when=entry.when, fix=fix, who_acts=list(entry.who_acts), retry=retry,
            standing=entry.standing, related=[r for r in entry.related if r != entry.code],
            source=list(entry.source),
        )
    # derived from the digits
    source = [RFC3463_DIGITS]
    parts = [f"{code} has no entry here and is not in the IANA registry as far as this knowledge base "
             f"knows, so this answer is derived from its digits alone ({RFC3463_DIGITS})."]
    if cls is not None:
        parts.append(f"Class {c} ({cls.name}): {cls.meaning}")
    if subject is not None:
        parts.append(f"Subject {s} ({subject.name}): {subject.meaning}")
    else:
        parts.append(f"Subject {s} is not defined by RFC 3463 (only 0 to 7 are), so this code follows no standard.")
    parts.append(f"Detail {d} is not a registered detail for this subject; only the sender of the code knows its exact meaning.")
    vendor = kb.vendor_range(s, d)
    if vendor is not None:
        parts.append(vendor.note)
        source.extend(vendor.source)
    title = f"Unlisted {subject.name} code" if subject else f"Unlisted code with undefined subject {s}"
    if cls is not None:
        title += f" ({cls.name})"
    return CodeExplanation(
        code=code, kind="enhanced", class_=class_text, subject=subject_text, title=title,
        meaning=" ".join(parts),
        when="Not known from the digits alone; the reply code and text sent with it tell you which command failed.",
        fix=cls.fix if cls else "Read the class digit and the server's text; see the class meanings of RFC 3463 §2.",
        who_acts=list(cls.who_acts) if cls else ["sending admin"],
        retry=cls_retry, standing="derived", derived=True, source=source,
    )


_SHORT_CLASS = {"2": "success", "3": "intermediate", "4": "temporary failure", "5": "permanent failure"}


def _same_code(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same code (``X.7.26`` matches ``5.7.26``)."""
    if a == b:
        return True
    if a.count(".") == 2 and b.count(".") == 2:
        return a.split(".", 1)[1] == b.split(".", 1)[1] and "X" in (a[0], b[0])
    return False


def _combined(reply: CodeExplanation, enh: CodeExplanation) -> CodeExplanation:
    """One explanation for a reply code sent with an enhanced code (RFC 3463 §2, RFC 2034).

    The enhanced code refines the reply code: its title, meaning, "when", fix
    and who acts lead, unless it adds nothing beyond its class and subject
    (detail 0, e.g. 5.0.0 or 5.5.0) or has no entry (derived), in which case
    the reply code's text leads and the enhanced code's class-specific text
    follows.  Retry follows the reply code, which is what sending MTAs act
    on.  ``related`` never lists the code's own parts (X.7.26 under 550 5.7.26).
    """
    code = f"{reply.code} {enh.code}"
    rc, ec = reply.code[0], enh.code[0]
    generic = enh.derived or enh.code.endswith(".0")  # the enhanced part adds no detail
    if generic:
        link = "" if enh.derived else " adds no more precise cause"
        meaning = f"{reply.meaning} The enhanced code {enh.code}{link}: {enh.meaning}"
        if enh.derived:
            extra = "unlisted detail"
        elif enh.code.endswith(".0.0"):
            extra = "no further detail"
        else:
            subj = get_kb().subject(enh.code.split(".")[1])
            extra = f"{subj.name if subj else 'other'} status, no further detail"
        title = f"{reply.title} ({enh.code}: {extra})"
        who = list(reply.who_acts)
    else:
        meaning = (f"{enh.meaning} Reply code {reply.code} ({reply.class_}) is the basic answer; "
                   f"the enhanced code {enh.code} says more precisely why.")
        title = f"{enh.title} ({reply.code}, {_SHORT_CLASS.get(rc, reply.class_)})"
        who = list(enh.who_acts)  # the more specific entry says who must act
    retry = reply.retry
    if ec != "X" and rc != ec:
        meaning += (
            f" The two class digits disagree ({rc}xx vs {ec}.X.X), which RFC 3463 §2 does not allow; "
            f"sending MTAs act on the reply code, so this is treated as {reply.class_}."
        )
    else:
        # the reply code's retry text, plus what the enhanced entry adds to its class's
        entry = get_kb().enhanced(enh.code) if not enh.derived else None
        if entry is not None and entry.retry:
            retry = f"{reply.retry} {entry.retry}"
    standing = reply.standing if enh.derived else enh.standing
    related = list(dict.fromkeys(
        r for r in enh.related + reply.related
        if not _same_code(r, reply.code) and not _same_code(r, enh.code)
    ))
    source = list(dict.fromkeys(enh.source + reply.source))
    return CodeExplanation(
        code=code, kind="combined", class_=f"{reply.class_}; {enh.class_}", subject=enh.subject,
        title=title, meaning=meaning, when=reply.when if generic else enh.when,
        fix=reply.fix if generic else enh.fix, who_acts=who, retry=retry, standing=standing,
        derived=reply.derived or enh.derived, related=related, source=source, parts=[reply, enh],
    )


@lru_cache(maxsize=4096)
def explain_code(reply_code: str | None, enhanced: str | None) -> CodeExplanation:
    """Explain a reply code, an enhanced status code, or both together.

    Input: ``reply_code`` like ``"550"`` and/or ``enhanced`` like ``"5.7.26"``
    (or ``"X.7.26"``); strings are normalised with :func:`knowledge.codes.parse_code`.
    Output: a :class:`CodeExplanation` of kind ``reply``, ``enhanced`` or
    ``combined`` (with ``parts`` = [reply, enhanced]); ``derived=True`` when
    no entry exists and the text comes from the digits.
    Raises :class:`~knowledge.codes.MalformedCode` if a code is malformed and
    ``ValueError`` if both are None.  Results are cached (the KB is loaded once).
    """
    if reply_code is None and enhanced is None:
        raise ValueError("explain_code needs a reply code or an enhanced status code")
    reply = parse_code(reply_code).reply if reply_code is not None else None
    enh = parse_code(enhanced).enhanced if enhanced is not None else None
    if reply_code is not None and reply is None:
        raise MalformedCode(reply_code, "expected a reply code")
    if enhanced is not None and enh is None:
        raise MalformedCode(enhanced, "expected an enhanced status code")
    if reply and enh:
        return _combined(_reply_explanation(reply), _enhanced_explanation(enh, class_hint=reply[0]))
    return _reply_explanation(reply) if reply else _enhanced_explanation(enh)


# --------------------------------------------------------------------------
# providers: a problem in the provider data must never break the standard answer

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


def explain(queries: list[str], provider: str | None = None) -> ExplainResult:
    """Explain each query string and compare them when there are two or more.

    ``queries``: code strings as accepted by :func:`~knowledge.codes.parse_code`
    (``"252"``, ``"550 5.7.26"``...).  Identical codes (after normalisation:
    ``550`` and ``"550."``, ``5.07.1`` and ``5.7.1``) are explained once, in the
    order first given; at most :data:`MAX_CODES` distinct codes are explained,
    and one error line says how many more were left out.  ``provider``: a
    provider id or alias (``"gmail"``); when given, each item is built with
    :func:`explain_with_provider` if the provider has a rule for the code, and
    otherwise carries a ``notes`` line saying the provider has no specific
    rule, so the general meaning applies.
    Returns an :class:`ExplainResult`: items in input order, ``errors`` one line
    per malformed query (at most :data:`MAX_CODES` lines, then a count; user
    text is shown with control characters escaped), ``comparison`` when
    ``len(items) >= 2``.  Never raises for bad input.
    """
    items: list[CodeExplanation] = []
    errors: list[str] = []
    provider_id = _resolve_provider(provider) if provider else None
    if provider and provider_id is None:
        shown = printable(" ".join(provider.split())[:40])
        errors.append(f"unknown provider '{shown}': the explanation below is the standard meaning only.")
    provider_name = _provider_name(provider_id) if provider_id else None
    seen: set[str] = set()
    parsed_codes = []
    bad: list[str] = []
    for q in dict.fromkeys(q for q in queries if isinstance(q, str)):
        try:
            parsed = parse_code(q)
        except MalformedCode as exc:
            hit = _rule_for_token(q) if q.strip()[:1].isalpha() or q.strip()[:1] in "[(" else None
            if hit is not None:
                key = "marker:" + q.strip().strip("[]").upper()
                if key not in seen:
                    seen.add(key)
                    parsed_codes.append((q, hit))
                continue
            bad.append(str(exc))
            continue
        if parsed.normalized in seen:
            continue
        seen.add(parsed.normalized)
        parsed_codes.append(parsed)
    errors.extend(bad[:MAX_CODES])
    if len(bad) > MAX_CODES:
        errors.append(f"... and {len(bad) - MAX_CODES} more inputs that are not SMTP codes.")
    if len(parsed_codes) > MAX_CODES:
        left = [p[0].strip() if isinstance(p, tuple) else p.normalized for p in parsed_codes[MAX_CODES:MAX_CODES + 5]]
        errors.append(f"only the first {MAX_CODES} codes are explained; {len(parsed_codes) - MAX_CODES} more "
                      f"({', '.join(printable(x[:40]) for x in left)}"
                      f"{', ...' if len(parsed_codes) > MAX_CODES + 5 else ''}) were left out.")
    for parsed in parsed_codes[:MAX_CODES]:
        if isinstance(parsed, tuple):  # a provider marker ("TSS04"): its rule's meaning
            items.append(_marker_item(*parsed))
            continue
        item = explain_code(parsed.reply, parsed.enhanced)
        if not provider_id:
            item = _with_defining_provider(item)
        if provider_id:
            note = _provider_note(provider_id, item)
            if note is not None:
                item = explain_with_provider(parsed.reply, parsed.enhanced, note)
            else:
                item = item.model_copy(update={"notes": [
                    *item.notes,
                    f"{provider_name} has no specific rule for {item.code}; general meaning below.",
                ]})
        items.append(item)
    comparison = None
    if len(items) >= 2:
        from knowledge.compare import compare

        comparison = compare(items)
    return ExplainResult(items=items, errors=errors, comparison=comparison)


# --------------------------------------------------------------------------
# free text

# a reply code, optionally followed (space or '-') by an enhanced code; or an
# enhanced code alone.  Digits glued to letters, dots or other digits are not
# codes (IP addresses, dates, version numbers).
_B = r"(?<![\w.#])#?"
_E = r"(?![\w]|\.\w)"
_TOKEN_RE = re.compile(
    rf"{_B}(?P<reply>[0-9]{{3}})(?:[ \t]*-[ \t]*|[ \t]+)(?P<enh1>[0-9xX]\.[0-9]{{1,3}}\.[0-9]{{1,3}}){_E}"
    rf"|{_B}(?P<enh2>[0-9xX]\.[0-9]{{1,3}}\.[0-9]{{1,3}}){_E}"
    rf"|{_B}(?P<reply2>[0-9]{{3}}){_E}"
)
# a provider's own marker typed on its own: "[TSS04]", "TS03", "CS01", "AS(201806281)", "S3150", "AUP#CXBL",
# "DT:SPM", "OFR004_104" -- kept only when a provider rule's query_token names it (knowledge.providers.rule_for_token)
_MARKER_RE = re.compile(
    r"(?<![\w#:(\[])\[?(?:AS\(\d{6,12}\)|\(A?S31[45]0\)|AUP#[A-Za-z0-9-]{2,12}|[A-Za-z]{2}:[A-Za-z]{3}"
    r"|[A-Za-z]{1,4}[-_]?\d{1,6}(?:_\d{1,4})?)\]?(?![\w:#(])")
_NOT_A_CODE_BEFORE = re.compile(r"(?:\b(?:port|rfc|section|sect|§|version|v|https?|http/[\d.]+)\s*[:#]?\s*|§\s*)$",
                                re.IGNORECASE)
# a bare number followed by a unit or by an HTTP reason phrase is a duration, a size or an HTTP
# status ("250 ms", "421 bytes", "502 Bad Gateway"), not a reply code
_NOT_A_CODE_AFTER = re.compile(
    r"[ \t]*(?:ms|msec|millis(?:econds?)?|s|secs?|seconds?|mins?|minutes?|h|hours?|days?|bytes?|[kmgt]i?b|"
    r"%|px|kbps|mbps|rpm|rps|req/s)\b|[ \t]+(?:bad gateway|gateway time-?out|"
    r"internal server error|service unavailable|not found|forbidden|unauthorized|too many requests)\b",
    re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9&+._-]*")


def extract_queries(text: str) -> tuple[list[str], str | None]:
    """Find code tokens and a provider word in free text.

    ``"what's 421 vs 450?"`` -> ``(["421", "450"], None)``;
    ``"550 5.7.26 and 421"`` -> ``(["550 5.7.26", "421"], None)``;
    ``"gmail 5.7.26"`` -> ``(["5.7.26"], "gmail")``.
    A reply code directly followed by an enhanced code is one combined token;
    repeated tokens (the lines of a multi-line reply) are kept once, in order.
    Tokens shaped like codes but malformed (``999``, ``6.1.1``) are kept so that
    :func:`explain` reports them.  A provider's own marker typed on its own
    (``"yahoo [TSS04]"`` -> ``(["TSS04"], "yahoo")``; ``TS03``, ``CS01``,
    ``HM08``, ``AS(201806281)``, ``S3150``) is a token too, upper-cased and
    without brackets, when a provider rule names it
    (``knowledge.providers.rule_for_token``); :func:`explain` answers it with
    that rule's meaning.  The provider word is returned raw (as
    typed) when ``knowledge.providers.resolve_provider`` recognises it (also
    tried on two-word phrases such as "microsoft 365"); otherwise None.
    """
    if not text:
        return [], None
    found: list[tuple[int, str]] = []
    for m in _TOKEN_RE.finditer(text):
        if _NOT_A_CODE_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
            continue  # "port 587", "RFC 821", "section 4.2.1", "HTTP 502"
        if m.group("reply2") and _NOT_A_CODE_AFTER.match(text, m.end()):
            continue  # "250 ms", "502 Bad Gateway"
        if m.group("reply"):
            found.append((m.start(), f"{m.group('reply')} {m.group('enh1')}"))
        else:
            found.append((m.start(), m.group("enh2") or m.group("reply2")))
    if any(c.isalpha() for c in text):
        for i, m in enumerate(_MARKER_RE.finditer(text)):
            if i >= 50:
                break
            tok = m.group(0).strip("[]")
            if _rule_for_token(tok) is not None:
                found.append((m.start(), tok.upper()))
    found.sort(key=lambda x: x[0])
    tokens = [t for _, t in found]
    provider = None
    # "microsoft 365", "office 365": a word followed by a number that is not a code
    for m in re.finditer(r"([A-Za-z]+)[ \t]+(365)\b", text):
        if _resolve_provider(m.group(0)):
            provider = m.group(0)
            # "office 365 5.7.708": the 365 is part of the name, not a reply code paired with 5.7.708
            tokens = [t[4:] if t.startswith("365 ") and m.end() == text.find(t, m.start()) + 3 else t
                      for t in tokens if t != "365"]
            break
    words = list(_WORD_RE.finditer(text)) if provider is None else []
    for i, w in enumerate(words):
        if i + 1 < len(words):
            nxt = words[i + 1]
            gap = text[w.end():nxt.start()]
            if gap and gap.isspace() and "\n" not in gap and len(w.group(0)) > 1 and len(nxt.group(0)) > 1:
                pair = text[w.start():nxt.end()]  # as typed: "google workspace"
                if _resolve_provider(pair):
                    provider = pair
                    break
        word = w.group(0).rstrip("._-")
        if _resolve_provider(word):
            provider = word
            break
    # a multi-line reply repeats its code on every line (550-5.1.1 ... 550 5.1.1): keep one
    return list(dict.fromkeys(tokens)), provider
