"""Reading a question: the code tokens, provider markers and provider word in free text.

:func:`extract_queries` turns ``"what's 421 vs 450 at gmail?"`` into the queries
:func:`knowledge.explain.explain` takes.  The "not a code" rules (a port, an RFC section, a duration,
an HTTP status) live here and nowhere else.
"""

from __future__ import annotations

import re

from knowledge.explain.provider import _resolve_provider, _rule_for_token

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


def _code_tokens(text: str) -> list[tuple[int, str]]:
    """(offset, token) of each reply code / enhanced code / combined pair that is not a port, an RFC
    section, a version, a duration, a size or an HTTP status."""
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
    return found


def _marker_tokens(text: str) -> list[tuple[int, str]]:
    """(offset, token) of each provider marker (``[TSS04]`` -> ``TSS04``) a provider rule names; at most
    the first 50 marker-shaped words are looked up."""
    found: list[tuple[int, str]] = []
    if not any(c.isalpha() for c in text):
        return found
    for i, m in enumerate(_MARKER_RE.finditer(text)):
        if i >= 50:
            break
        tok = m.group(0).strip("[]")
        if _rule_for_token(tok) is not None:
            found.append((m.start(), tok.upper()))
    return found


def _provider_365(text: str, tokens: list[str]) -> tuple[str | None, list[str]]:
    """"microsoft 365", "office 365": a word followed by a number that is not a code.  Returns the
    provider phrase (or None) and the tokens without that 365."""
    for m in re.finditer(r"([A-Za-z]+)[ \t]+(365)\b", text):
        if _resolve_provider(m.group(0)):
            # "office 365 5.7.708": the 365 is part of the name, not a reply code paired with 5.7.708
            tokens = [t[4:] if t.startswith("365 ") and m.end() == text.find(t, m.start()) + 3 else t
                      for t in tokens if t != "365"]
            return m.group(0), tokens
    return None, tokens


def _provider_word(text: str) -> str | None:
    """The first word, or two-word phrase on one line ("google workspace"), that names a provider, as typed."""
    words = list(_WORD_RE.finditer(text))
    for i, w in enumerate(words):
        if i + 1 < len(words):
            nxt = words[i + 1]
            gap = text[w.end():nxt.start()]
            if gap and gap.isspace() and "\n" not in gap and len(w.group(0)) > 1 and len(nxt.group(0)) > 1:
                pair = text[w.start():nxt.end()]  # as typed: "google workspace"
                if _resolve_provider(pair):
                    return pair
        word = w.group(0).rstrip("._-")
        if _resolve_provider(word):
            return word
    return None


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
    found = _code_tokens(text) + _marker_tokens(text)
    found.sort(key=lambda x: x[0])
    provider, tokens = _provider_365(text, [t for _, t in found])
    if provider is None:
        provider = _provider_word(text)
    # a multi-line reply repeats its code on every line (550-5.1.1 ... 550 5.1.1): keep one
    return list(dict.fromkeys(tokens)), provider
