"""Explaining one code from the knowledge base: a reply code, an enhanced status code, or both.

:func:`explain_code` is the whole answer for one code as the standards define it (RFC 5321 §4.2,
extension RFCs, RFC 3463, the IANA registry); a well-formed code with no entry gets an answer derived
from its digits (RFC 5321 §4.2.1; RFC 3463 §2) marked ``derived=True``.  No provider knowledge here:
that is :mod:`knowledge.explain.provider`.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.codes import MalformedCode, parse_code
from knowledge.kb import get_kb
from knowledge.results import CodeExplanation

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
    return _derived_enhanced(code, cls, subject, class_text, subject_text, cls_retry)


def _derived_enhanced(code: str, cls, subject, class_text: str, subject_text: str,
                      cls_retry: str) -> CodeExplanation:
    """An enhanced status code with no entry, explained from its digits (RFC 3463 §2); ``cls`` and
    ``subject`` are the knowledge base's class and subject entries (None when not given / undefined)."""
    kb = get_kb()
    c, s, d = code.split(".")
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

