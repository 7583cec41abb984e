"""Annotate a pasted text or a whole message: who failed, why, hard or soft, what next.

Two entry points return the shared :class:`knowledge.results.Annotation`:
:func:`annotate_bytes` (raw bytes: a file, stdin, a Slack file upload) and
:func:`annotate_text` (a string: a paste, a Slack message's plain text).  Both dispatch the same way:

* input that starts like an RFC 5322 message (header fields first) goes to
  the bounce parser :mod:`knowledge.bounce` (RFC 3464 DSNs and the
  non-standard MTA formats);
* anything else is free text (log lines, client exceptions, a few lines of
  a bounce) and goes to ``knowledge.textscan.failures_from_text``.

Each failure is classified with :func:`knowledge.reasons.classify` (Sisimai
reason vocabulary, hard / soft) and, when the knowledge base is available,
explained with ``knowledge.explain.explain_code`` and matched against
provider rules with ``knowledge.providers.match``.

:func:`annotate_rows` is the light path used by ``smtpbot annotate --format
json``: the same findings as plain dicts, without pydantic; pass
``explain=True`` to add the knowledge base's title / explanation.

Bounds: at most :data:`MAX_INPUT` bytes of a message and
:data:`MAX_TEXT_INPUT` characters of free text are read (10 MB pastes are
cut), free text is scanned whole with at most :data:`MAX_CODE_CANDIDATES` code-like numbers
examined, and at most :data:`MAX_FINDINGS` findings are listed; the annotation's notes say
when a bound was hit.  The MIME walk is bounded too (see
:mod:`knowledge.bounce.mime`).
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.reasons import classify, next_step, says_nothing_to_resend
from knowledge.vocabulary import NOT_FAILURE_REASONS, UNDECIDED_REASONS

__all__ = ["annotate_bytes", "annotate_text", "annotate_rows", "FINDING_KEYS", "MAX_INPUT"]

MAX_INPUT = 2_000_000
MAX_TEXT_INPUT = 1_000_000
MAX_FINDINGS = 1000

FINDING_KEYS = ("recipient", "reply_code", "enhanced_status", "inferred_status", "reason", "hard_bounce",
                "action", "command", "remote_mta", "provider", "provider_rule", "provider_doc_url", "reply_text", "title",
                "explanation", "next_step")

_INFERRED = {
    "userunknown": "5.1.1", "hostunknown": "5.1.2", "hasmoved": "5.1.6", "mailboxfull": "5.2.2",
    "mesgtoobig": "5.3.4", "exceedlimit": "5.2.3", "suspend": "5.2.1", "expired": "4.4.7",
    "networkerror": "4.4.1", "norelaying": "5.7.1", "authfailure": "5.7.26", "requireptr": "5.7.25",
    "notaccept": "5.1.10", "systemfull": "4.3.1", "contenterror": "5.6.0", "securityerror": "5.7.0",
    "syntaxerror": "5.5.2", "systemerror": "4.3.0", "toomanyconn": "4.4.5", "speeding": "4.7.0",
    "blocked": "5.7.1", "rejected": "5.7.1", "filtered": "5.2.0", "policyviolation": "5.7.1",
    "spamdetected": "5.7.1", "virusdetected": "5.7.1", "badreputation": "5.7.1",
    "notcompliantrfc": "5.6.0", "mailererror": "5.3.0",
}


def _inferred(reason: str | None, reply_code: str | None, hard: bool | None) -> str | None:
    code = _INFERRED.get(reason or "")
    if not code:
        return None
    cls = reply_code[0] if reply_code and reply_code[0] in "45" else code[0]
    return cls + code[1:]


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def _is_binary(data: bytes) -> bool:
    """True for data that is not text: over 10% of the first 8 KB are C0 control
    bytes (NUL included) other than tab, line breaks and ESC (ESC starts
    ISO-2022-JP shifts)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    ctrl = len(sample) - len(sample.translate(None, _CONTROL))
    return ctrl > len(sample) // 10


def annotate_rows(data: bytes, explain: bool = False, providers: bool = True) -> tuple[str, list[dict], list[str]]:
    """Annotate raw bytes; return ``(kind, findings, notes)`` as plain values.

    ``kind`` is an :data:`knowledge.results.AnnotationKind`; ``findings`` a
    list of dicts with exactly :data:`FINDING_KEYS` (None where unknown), one
    per failed recipient in message order; ``notes`` human remarks.  Never
    raises on bad input (empty, binary, huge, broken MIME).
    """
    notes: list[str] = []
    if not data or not data.strip():
        return "none", [], ["empty input: nothing to annotate"]
    if len(data) > MAX_INPUT:
        notes.append(f"input is {len(data):,} bytes; only the first {MAX_INPUT:,} bytes were read")
        data = data[:MAX_INPUT]
    from knowledge.bounce import looks_like_message

    is_message = looks_like_message(data)
    if not is_message and _is_binary(data):
        return "none", [], notes + ["binary input (not text or a mail message): nothing to annotate"]
    reports, total = _message_reports(data) if is_message else (None, 0)
    if reports is None:
        text = _decode_text(data)
        pasted = _pasted_delay_rows(text)
        kind, rows, more = ("delay-warning", pasted, []) if pasted else _text_rows(text)
        notes.extend(more)
        return kind, [_delayed(_complete(r, [], explain, providers)) for r in rows], notes
    kinds: list[str] = []
    findings: list[dict] = []
    several = len(reports) > 1
    for i, rep in enumerate(reports, 1):
        kinds.append(rep.kind)
        # in an mbox file, each message's remarks say which message they are about
        notes.extend(n for n in (f"message {i}: {x}" if several else x for x in rep.notes) if n not in notes)
        room = MAX_FINDINGS - len(findings)
        cut = f"only the first {MAX_FINDINGS:,} failed recipients are listed"
        if len(rep.rows) > room and cut not in notes:
            notes.append(cut)
        findings += [_delayed(_complete(r, rep.hosts, explain, providers)) for r in rep.rows[:max(room, 0)]]
    if total > len(reports):
        notes.append(f"only the first {len(reports):,} of {total:,} messages were read")
    if several:
        notes.append(f"mbox file: {len(reports)} messages read")
    return _overall_kind(kinds), findings, notes


def _pasted_delay_rows(text: str) -> list[dict]:
    """The body of a delay warning pasted without its headers (Postfix "THIS IS A WARNING ONLY",
    Exim "has not yet been delivered", Sendmail "Will keep trying until message is 5 days old" ...):
    its rows read as in a whole message (:func:`knowledge.bounce.text.scan_notice`), when every
    one is still being retried; else [] and the text goes to the free-text scanner."""
    from knowledge.bounce.text import cut_original, is_delay_notice, scan_notice

    text = text[:MAX_TEXT_INPUT].replace("\r\n", "\n").replace("\r", "\n")
    if not is_delay_notice(text):
        return []
    rows = scan_notice(cut_original(text), set(), action="delayed")[:MAX_FINDINGS]
    return rows if rows and all(r.get("action") == "delayed" for r in rows) else []


def _delayed(finding: dict) -> dict:
    """A finding still being retried (RFC 3464 Action "delayed"): its inferred enhanced status is of
    class 4 (RFC 3463 §3.1, persistent transient failure), and its next step says nothing needs
    resending yet (:func:`knowledge.reasons.next_step`), also where a provider rule's remedy
    replaced it.  Other findings are returned unchanged."""
    if (finding.get("action") or "").strip().lower() != "delayed":
        return finding
    inferred = finding.get("inferred_status")
    if inferred and inferred[0] == "5":
        finding["inferred_status"] = "4" + inferred[1:]
    step = finding.get("next_step") or ""
    if not says_nothing_to_resend(step):
        base = next_step(finding.get("reason"), "delayed")
        if base:
            finding["next_step"] = base if not step or step in base or _for_returned_mail(finding) else f"{base} {step}"
    return finding


def _for_returned_mail(finding: dict) -> bool:
    """True when the finding's next step is a provider remedy meant for a message that came back (the
    rule's ``returned_only``): a message still queued gets the "nothing to resend yet" step alone."""
    if not finding.get("provider_rule"):
        return False
    from knowledge.providers import returned_only

    return returned_only(finding["provider_rule"])


# When an mbox holds messages of several kinds, the annotation is named after the most telling one:
# a failure first, then a delay warning (still being retried), then the reports that are no failure.
_KIND_ORDER = ("bounce", "delay-warning", "delivery-report", "auto-reply", "feedback-report", "log", "none")


def _overall_kind(kinds: list[str]) -> str:
    """The :data:`knowledge.results.AnnotationKind` of several messages' kinds (first in
    :data:`_KIND_ORDER`; an unknown kind counts as "none"); "none" for no kinds."""
    return min(kinds, key=lambda k: _KIND_ORDER.index(k) if k in _KIND_ORDER else len(_KIND_ORDER)) \
        if kinds else "none"


def _message_reports(data: bytes):
    """The bounce parser's reports for a message, or for each message of an
    mbox file (RFC 4155), with the number of messages the file holds:
    ``(reports, total)`` (``total`` exceeds ``len(reports)`` when the mbox
    bound :data:`knowledge.bounce.mime.MAX_MBOX_MESSAGES` was hit);
    ``(None, 0)`` when the data only looks like a message (header-like lines
    such as pasted DSN fields or a log)."""
    from knowledge.bounce import has_mail_headers, parse_bytes
    from knowledge.bounce.mime import mbox_messages

    parts, total = mbox_messages(data)
    reports = [parse_bytes(part) for part in parts]
    if len(reports) == 1 and reports[0].kind == "none" and not reports[0].rows and not has_mail_headers(data):
        return None, 0
    return reports, total


def _text_rows(text: str) -> tuple[str, list[dict], list[str]]:
    notes: list[str] = []
    if len(text) > MAX_TEXT_INPUT:
        notes.append(f"only the first {MAX_TEXT_INPUT:,} characters of the text were read")
        text = text[:MAX_TEXT_INPUT]
    from knowledge.bounce import rows_from_pasted_dsn

    pasted = rows_from_pasted_dsn(text)
    if pasted:
        return "bounce", pasted[:MAX_FINDINGS], notes
    try:
        from knowledge.textscan import failures_limited
    except ImportError:
        return "none", [], notes + ["free-text scanning is not available in this build"]
    rows: list[dict] = []
    for f in _scan_chunks(failures_limited, text, notes):
        if len(rows) >= MAX_FINDINGS:
            if f"only the first {MAX_FINDINGS:,} failures are listed" not in notes:
                notes.append(f"only the first {MAX_FINDINGS:,} failures are listed")
            break
        rc = getattr(f, "reply_code", None)
        enh = getattr(f, "enhanced_status", None)
        reply_text = getattr(f, "reply_text", None) or ""
        command = getattr(f, "command", None)
        action = getattr(f, "action", None)  # "failed" / "delayed" when the text says so (status=deferred)
        reason, hard = classify(rc, enh, reply_text, command, action or "failed")
        if reason == "filtered" and command is None:
            # Sisimai calls an unknown-user wording "filtered" unless the reply is known to answer
            # RCPT TO; that rule is for whole DSNs. A pasted reply line or client error with no
            # command is almost always the RCPT TO answer, and calling a dead address "soft"
            # would tell people to resend to it.
            as_rcpt = classify(rc, enh, reply_text, "RCPT", action or "failed")
            if as_rcpt[0] == "userunknown":
                reason, hard = as_rcpt
        if reason == "delivered":
            if (rc or enh or "5")[0] not in "23":
                continue
            # the free-text scanner returns a 2xx/3xx reply only when a client refused it ("Expected response
            # code 250 but got code "235""): that reply is the failure, not a delivery
            reason, hard = "undefined", False
        remote = getattr(f, "remote_host", None)
        rows.append({
            "recipient": getattr(f, "recipient", None), "reply_code": rc, "enhanced_status": enh,
            "inferred_status": None, "reason": reason, "hard_bounce": hard, "action": action,
            "command": command, "remote_mta": remote, "reply_text": reply_text or None,
        })
    if not rows:
        return "none", rows, notes
    return ("bounce" if _BOUNCE_NOTICE.search(text[:20_000]) else "log"), rows, notes


# Wording that only a non-delivery report uses (the body of a bounce pasted without its headers:
# Postfix, Sendmail, Exchange / Microsoft 365, Gmail, Exim, qmail notices), as opposed to log
# lines or client errors.
_BOUNCE_NOTICE = re.compile(
    r"delivery has failed to these recipients|undeliverable:|undelivered mail returned|"
    r"could not be delivered to one or more|couldn'?t be delivered|wasn'?t delivered to|"
    r"message (?:was )?not delivered|delivery to the following recipients? failed|"
    r"delivery status notification|returned mail: |permanent fatal errors|mail delivery (?:failed|subsystem)|"
    r"this is the mail system at host|failed to deliver to the following|"
    r"address(?:es)? failed:|hi\. this is the qmail-send program|your message (?:to .{1,100} )?couldn'?t be delivered",
    re.I,
)


MAX_CODE_CANDIDATES = 6_000
"""At most this many code-shaped numbers of a free text are examined (whatever its size or content).

A realistic mail log has 2-3 per failing line, so MAX_FINDINGS findings fit; a text made of nothing but
codes (``550 5.1.1 `` pasted 100,000 times) stops here, which bounds the worst-case time of one input
(about 0.3 s; see benchmarks/textscan_speed.py).  The annotation's notes say when the bound was hit."""


def _scan_chunks(scan, text: str, notes: list[str] | None = None):
    """The free-text scanner's failures for ``text``, scanned whole, within the annotation's bounds.

    ``scan`` is :func:`knowledge.textscan.failures_limited`; it is called once on the whole text with
    ``max_failures=MAX_FINDINGS`` and ``max_tokens=MAX_CODE_CANDIDATES``, and its work is linear in the
    text's length and bounded by those two numbers.  (Earlier the text was scanned in pieces of 8,000
    characters: the scanner merges the repeated codes of one reply and the same failure logged twice
    only within what it sees, so each piece reported the same failure again, and a paste of
    ``550 5.1.1 `` repeated gave one finding per piece, 125 for 1 MB, against 1 for the whole text.)
    So a repeated identical reply is one finding, as in the whole-text scan; per-recipient log lines
    stay one finding each.  When a bound stops the scan, a note saying so is appended to ``notes``.
    """
    failures, stats = scan(text, max_tokens=MAX_CODE_CANDIDATES, max_failures=MAX_FINDINGS)
    if notes is None:
        return failures
    if len(failures) >= MAX_FINDINGS:
        notes.append(f"only the first {MAX_FINDINGS:,} failures are listed")
    elif stats.token_limit_hit or stats.failure_limit_hit:
        # one note whichever bound stopped the scan (a text made of codes hits both)
        notes.append(f"the text is dense with codes: only its first part was examined (up to "
                     f"{MAX_CODE_CANDIDATES:,} code-like numbers and {MAX_FINDINGS:,} failing replies); "
                     "failures after that point are not listed")
    return failures


def _complete(row: dict, hosts: list[str], explain: bool, providers: bool) -> dict:
    """Fill one finding: inferred status, next step, provider rule and (with ``explain``) the knowledge
    base's title / explanation.

    A matched provider rule that carries a Sisimai ``reason`` decides the finding's ``reason`` and
    ``hard_bounce`` (:func:`knowledge.reasons.is_hard`), replacing the generic classification, except
    where :func:`knowledge.providers.policy.rule_reason_applies` says it does not (the message's fate
    decides the reason; a reply to MAIL FROM and a recipient reason, or "badreputation"; the sets are
    named in :mod:`knowledge.vocabulary`, the reasons in the policy module's docstring).

    Input: one parser row (a dict with some of :data:`FINDING_KEYS`), the message's host names, whether
    to add the knowledge base's texts, whether to match provider rules.  Output: a dict with exactly
    :data:`FINDING_KEYS`.  Never raises on provider data problems (annotates without them).
    """
    out: dict[str, Any] = dict.fromkeys(FINDING_KEYS)
    out.update({k: v for k, v in row.items() if k in out})
    rc, enh = out["reply_code"], out["enhanced_status"]
    hs = [*hosts, out["remote_mta"]] if out["remote_mta"] else list(hosts)
    note, hit = _provider_hit(out, hs, explain) if providers else (None, None)
    if hit is not None and hit[4]:
        _apply_rule_reason(out, hit[4])
    reason = out["reason"]
    if not out["enhanced_status"] and reason is not None and reason not in NOT_FAILURE_REASONS \
            and reason not in UNDECIDED_REASONS:
        out["inferred_status"] = _inferred(reason, out["reply_code"], out["hard_bounce"])
    out["next_step"] = next_step(reason, out.get("action"), out["reply_text"], out["enhanced_status"])
    if hit is not None:
        out["provider"], out["provider_rule"], remedy, out["provider_doc_url"] = hit[:4]
        if remedy:
            out["next_step"] = remedy
    if explain and (rc or enh):
        _add_explanation(out, note)
    return out


def _provider_hit(out: dict, hosts: list[str], explain: bool):
    """``(note, hit)``: the matched provider rule for one finding, ``hit`` being
    ``(provider, rule_id, remedy, doc_url, reason)``; ``note`` (the full ProviderNote) only with
    ``explain``.  ``(None, None)`` when nothing matches or the provider data cannot be loaded."""
    rc, enh = out["reply_code"], out["enhanced_status"]
    if not (rc or enh or out["reply_text"]):
        return None, None
    note = None
    try:
        if explain:  # the knowledge base is loaded anyway: take the full ProviderNote
            from knowledge.providers import match

            note = match(rc, enh, out["reply_text"] or "", hosts)
            return note, ((note.provider, note.rule_id, note.remedy, note.doc_url, note.reason) if note else None)
        from knowledge.providers import match_fields  # fast path: plain fields, no pydantic

        return None, match_fields(rc, enh, out["reply_text"] or "", hosts)
    except Exception:  # provider data missing or invalid: annotate without it
        return note, None


def _apply_rule_reason(out: dict, rule_reason: str) -> None:
    """Let a provider rule's Sisimai reason decide ``out``'s reason and hard/soft bounce, where
    :func:`knowledge.providers.policy.rule_reason_applies` allows it."""
    from knowledge.providers.policy import rule_reason_applies

    if rule_reason_applies(rule_reason, out["reason"], out.get("action"), out["command"]):
        from knowledge.reasons import is_hard

        out["reason"] = rule_reason
        out["hard_bounce"] = is_hard(rule_reason, out["reply_code"], out["enhanced_status"])


def _add_explanation(out: dict, note) -> None:
    """Add the knowledge base's title and explanation (the provider's meaning first) to ``out``."""
    try:
        from knowledge.explain import explain_with_provider

        # provider's meaning first, the generic RFC meaning under it (issue 5)
        ex = explain_with_provider(out["reply_code"], out["enhanced_status"], note)
        out["title"] = ex.title
        out["explanation"] = ex.meaning
    except Exception:  # malformed or unknown code: keep the finding without it
        pass


def _to_annotation(source: str | None, kind: str, findings: list[dict], notes: list[str]):
    from knowledge.results import Annotation, Finding

    return Annotation(source=source, kind=kind, findings=[Finding(**f) for f in findings], notes=notes)


def annotate_bytes(data: bytes, source: str | None = None):
    """Annotate raw bytes (a whole message or free text).

    Input: ``data`` bytes of any encoding (UTF-8 assumed for free text;
    MIME charsets honoured for messages); ``source`` a label (file name).
    Output: :class:`knowledge.results.Annotation` with the knowledge base's
    title / explanation and provider notes filled when available.  Never
    raises on bad input; problems are described in ``notes``.
    """
    kind, findings, notes = annotate_rows(data, explain=True)
    return _to_annotation(source, kind, findings, notes)


def annotate_text(text: str, source: str | None = None):
    """Annotate a string (a pasted log, a message's plain text).  Same output as
    :func:`annotate_bytes` of its UTF-8 bytes: text that starts like an RFC 5322
    message goes to the bounce parser, other text to the free-text scanner.
    The text is taken literally (``&lt;`` stays ``&lt;``): Slack markup is undone
    by the Slack app before it calls this (``bot.slack.markup``)."""
    if not isinstance(text, str):
        text = str(text)
    return annotate_bytes(text.encode("utf-8", "replace"), source)
