"""Evidence: does a text carry a real SMTP failure (a paste), or only talk about codes (chat)?

Cheap enough for every Slack channel message (:func:`has_smtp_evidence`): a text with no code-shaped
token returns after one regex search.
"""

from __future__ import annotations

import re

from knowledge.textscan.doc import Doc
from knowledge.textscan.results import MAX_SCAN_CHARS
from knowledge.textscan.rules import _REPLY_BEFORE, _REPLY_TEXT_AFTER, _TRANSCRIPT_RULE, _VALUE_START
from knowledge.textscan.tokens import Tok, quick_check

__all__ = ["has_smtp_evidence"]


def has_smtp_evidence(text: str) -> bool:
    """True when ``text`` carries real SMTP failure evidence; cheap enough for every channel message.

    Evidence is a failure reply code or enhanced status code in an SMTP
    context (DSN fields, ``said:``, ``status=bounced``, an SMTP exception, an
    enhanced code next to a reply code, a reply line in a mail-related text
    ...).  Chatter with numbers ("deploy 250 took 421 ms", "HTTP 502",
    "port 587", "502 Bad Gateway") and a bare "550" give False.  Input: any
    str; never raises.  A text with no code-shaped token returns after one
    regex search.
    """
    try:
        if not isinstance(text, str) or not quick_check(text[:MAX_SCAN_CHARS]):
            return False
        doc = Doc(text)
        failing = [t for t in doc.toks if doc.counts_as_failure(t)]
        if not failing:
            return False
        if _DOC_STRUCTURE_RE.search(doc.text) or doc.transcript:
            return True
        return any(_structural(doc, t) for t in failing)
    except Exception:  # pragma: no cover
        return False


# Structure that only pastes have: DSN fields (RFC 3464 §2.3), MTA log fields (Postfix status= / dsn=,
# "(in reply to X command)"), "said:" / "Remote Server returned" (Exchange NDR), client error words.
_DOC_STRUCTURE_RE = re.compile(
    r"(?im)^[ \t>]*(?:final-recipient|original-recipient|diagnostic-code|remote-mta|reporting-mta|"
    r"x-postfix-sender|x-supplementary-info)[ \t]*:"
    r"|\bsaid:|\bstatus=(?:bounced|deferred|expired|undeliverable)\b|\bdsn=[245]\.\d"
    r"|\(in[ \t\n]+reply[ \t\n]+to[ \t\n]+[^()\n]{1,40}command\)|\bserver[ \t]+return(?:=\n)?ed\b"
    r"|\berror_?code[ \t]*:"
    r"|\bsmtp[ \t]*;|\bSMTP[ \t]+(?:error|reply|response)\b|\b[A-Z][A-Za-z]*(?:Exception|Error|Refused)\b[ \t]*[:(]"
    r"|\bSMTP[A-Z][A-Za-z]+\b")
# strong contexts that are structure in themselves (a key, a field, an exception, a "said:")
_STRUCTURAL_CONTEXTS = {"said", "smtp-diag", "diagnostic", "exception", "dsn-status", "dsn-field", "hash",
                        "smtp-key", "got-code", "unexpected", "transcript", "multiline", "paren"}
# words of someone talking about a code rather than pasting a reply (checked on the text after the codes)
_PROSE_RE = re.compile(
    r"(?i)\?[ \t]*$|\b(?:I|I'm|I've|I'd|we're|we've|we'd|you're|anyone|anybody|someone|somebody|"
    r"any[ \t]+ideas?|ideas?|means?|meaning|mean|typo|ignore|yeah|yep|yup|nope|lol|haha|thanks|thx|pls|plz|btw|"
    r"fyi|afaik|imo|guess|think|thought|probably|maybe|seems|seeing|getting|got|yesterday|tonight|"
    r"this[ \t]+morning|upgrade[ \t]+done|fixed|jira|ticket|why|hmm+|the[ \t]+one|we[ \t]+(?:see|saw|get|got|keep|"
    r"are|were|have|had|need)|you[ \t]+(?:see|get|got)|need[ \t]+to|should[ \t]+we|can[ \t]+we|let'?s|resolved|"
    r"is[ \t]+back|(?:is|was)[ \t]+(?:just|only|probably|fine|ok|okay|our|my|his|her|their))\b"
    r"|^[ \t]+(?:is|was|are|were|looks|happens|comes|came|keeps|kept|again|from|when|whenever|for|on|since|after|"
    r"too|also|still|and|or|but|errors?|bounces?|issues?|problems?)\b")


# a chat label before "label: code ..." that makes the line a note about a code
_NOTE_LABEL_RE = re.compile(r"(?i)\b(?:fyi|btw|jira|ticket|note|reminder|todo|heads[ \t]+up|update|standup|re)[ \t]*:[ \t]*\Z")


def _structural(doc: Doc, t: Tok) -> bool:
    """Is this failure code part of a pasted reply / log / DSN rather than a code quoted in conversation?

    Structure: a strong key or field (:data:`_STRUCTURAL_CONTEXTS`), a value in quotes or brackets, a
    multi-line reply (``550-5.7.1``, RFC 5321 §4.2.1), or a reply line that starts with the code (at a
    line start or after a ``label:``) and goes on with reply text, not chat words (:data:`_PROSE_RE`)."""
    text = doc.text
    if t.context in _STRUCTURAL_CONTEXTS:
        return True
    r = t.paired if (t.kind == "enhanced" and t.paired is not None) else t
    window = text[max(0, r.s - 70):r.s]
    if t.context in ("got", "value", "response") and re.search(r"[:=\"'\[(][ \t]*\Z", window):
        return True
    if r.kind == "reply" and r.paired is not None and text[r.e:r.e + 1] == "-":
        return True  # "550-5.7.1 ..." a continued multi-line reply
    if _VALUE_START.search(window):
        return True  # '550 5.7.1 ...' / (550, b'...') / ["550 ..."]
    if window.endswith("\t") and (r.paired is not None or t.context == "cell"):
        return True  # a cell of a pasted table (tabs are not typed in chat)
    if _REPLY_BEFORE[_TRANSCRIPT_RULE][1].search(window):
        return True  # "mta: 0x1: <<< 552 5.2.2 ...", "<-  554 5.7.1 ...": a server line of a session transcript
    end = r.paired.e if (r.kind == "reply" and r.paired is not None) else r.e
    le = doc.line_bounds(r.s)[1]
    rest = text[end:le]
    if not _REPLY_TEXT_AFTER.match(rest) or _PROSE_RE.search(rest):
        return False
    if doc.at_line_start(r.s) or r.context == "glued":
        return True
    if window.rstrip(" \t").endswith((":", "：", "]", "|", ">")):
        return not _NOTE_LABEL_RE.search(window)  # "FYI: 421 4.7.0 throttling is back" is a note, not a paste
    sep = window.rstrip(" \t\"")[-1:]  # a column of a delimited log line (Exchange message tracking CSV)
    return sep in (",", ";", "\t") and text.count(sep, doc.line_bounds(r.s)[0], le) >= 3
