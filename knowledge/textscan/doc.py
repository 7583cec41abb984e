"""Stage 3, the document: a normalised text, its tokens classified, and the per-text caches.

:class:`Doc` runs stages 1-3 on one text: :func:`~knowledge.textscan.normalise.normalise`,
:func:`~knowledge.textscan.tokens.tokenise` and :func:`~knowledge.textscan.tokens.pair`, then the context
rules of :mod:`knowledge.textscan.classify` on every token.  Its helpers read lines in windows of fixed
reach (:data:`~knowledge.textscan.results.LINE_REACH`) and cache context-rule results per window, so the
work stays linear in the text's length.
"""

from __future__ import annotations

import re

from knowledge.textscan.classify import ClassifyMixin
from knowledge.textscan.normalise import normalise
from knowledge.textscan.results import LINE_REACH, MAX_SCAN_CHARS, MAX_TOKENS, RULE_CACHE_MAX, CodeMention
from knowledge.textscan.rules import _LINE_START_PREFIX
from knowledge.textscan.tokens import Tok, pair, quick_check, tokenise
from knowledge.textscan.words import _LINE_HTTP_RE, _LINE_SMTP_RE, _TRANSCRIPT_RE, _mail_words

__all__ = ["Doc"]



class Doc(ClassifyMixin):
    """A normalised text with its tokens classified.

    ``raw``: the caller's text (cut to :data:`MAX_SCAN_CHARS`); ``text``/``omap``: the normalised text and
    its offset map; ``toks``: the code-shaped tokens (:class:`~knowledge.textscan.tokens.Tok`), classified;
    ``doc_smtp``: the text talks about mail; ``transcript``: it is an SMTP session transcript;
    ``truncated`` / ``token_cut``: a bound was hit; ``rule_searches``: context patterns run."""

    __slots__ = ("raw", "text", "omap", "toks", "doc_smtp", "transcript", "truncated", "_line_cache",
                 "_rule_cache", "rule_searches", "token_cut")

    def __init__(self, raw: str, max_tokens: int = MAX_TOKENS):
        if not isinstance(raw, str):
            raw = str(raw)
        self.truncated = len(raw) > MAX_SCAN_CHARS
        if self.truncated:
            raw = raw[:MAX_SCAN_CHARS]
        self.raw = raw
        self.text, self.omap = normalise(raw)
        self.toks: list[Tok] = []
        self._line_cache: dict[int, tuple[bool, bool]] = {}
        # (rule list, 70-character window) -> rule: a text dense with codes repeats the same windows
        self._rule_cache: dict[tuple[int, str], str | bool | None] = {}
        self.rule_searches = 0  # context patterns actually run (a deterministic measure of the work done)
        self.token_cut = False  # more than max_tokens code-shaped tokens: the rest was not examined
        if not quick_check(self.text):
            self.doc_smtp = False
            self.transcript = False
            return
        self.doc_smtp = _mail_words(self.text)
        self.transcript = bool(_TRANSCRIPT_RE.search(self.text))
        self.toks, cut = tokenise(self.text, max_tokens)
        if cut:
            self.truncated = self.token_cut = True
        pair(self.text, self.toks)
        self.classify_all()

    # -- lines -----------------------------------------------------------------------------------
    def line_bounds(self, pos: int) -> tuple[int, int]:
        """The line around ``pos``, at most :data:`LINE_REACH` characters either side."""
        t = self.text
        lo = max(0, pos - LINE_REACH)
        ls = t.rfind("\n", lo, pos) + 1
        if ls == 0:
            ls = lo
        hi = min(len(t), pos + LINE_REACH)
        le = t.find("\n", pos, hi)
        return ls, (hi if le < 0 else le)

    def line_flags(self, pos: int) -> tuple[bool, bool]:
        """(line has SMTP-specific words, line talks about HTTP), cached per line.

        On a long line only the 1,200 characters around ``pos`` count."""
        ls, le = self.line_bounds(pos)
        if le - ls > 1200:
            k = pos // 400
            key = -k - 1  # distinct from any line start
            ls, le = max(ls, k * 400 - 400), min(le, k * 400 + 800)
        else:
            key = ls
        got = self._line_cache.get(key)
        if got is None:
            line = self.text[ls:le]
            got = (bool(_LINE_SMTP_RE.search(line)), bool(_LINE_HTTP_RE.search(line)))
            self._line_cache[key] = got
        return got

    def at_line_start(self, pos: int) -> bool:
        """Does ``pos`` open its line (after quoting, list marks or a transcript marker only)?"""
        ls = self.text.rfind("\n", max(0, pos - 200), pos) + 1
        if ls == 0 and pos > 200:
            return False
        m = _LINE_START_PREFIX.match(self.text, ls, pos)
        return m is not None and m.end() == pos

    def _window_has(self, pat: re.Pattern[str], window: str) -> bool:
        """``bool(pat.search(window))``, cached per text like :meth:`_before_rule`."""
        key = (id(pat), window)
        got = self._rule_cache.get(key)
        if got is None:
            self.rule_searches += 1
            got = bool(pat.search(window))
            if len(self._rule_cache) < RULE_CACHE_MAX:
                self._rule_cache[key] = got
        return got

    def _before_rule(self, rules, window: str) -> str | None:
        """The first rule of ``rules`` whose pattern ends at the end of ``window``, else None.

        A pure function of the window, so it is cached per text: the same window before every code of a
        repeated line (``550 5.1.1 `` pasted 100,000 times) costs one evaluation, not one per code."""
        key = (id(rules), window)
        cache = self._rule_cache
        if key in cache:
            return cache[key]
        last = window.rstrip(" \t")[-1:]
        wordy = last.isalnum() or last in "#:=$."
        found = None
        for name, pat in rules:
            if name == "reject-word" and not wordy:
                continue  # its words end in a letter, "#", ":", "=", "$" or "." (the costliest rule: skip it early)
            self.rule_searches += 1
            if pat.search(window):
                found = name
                break
        if len(cache) < RULE_CACHE_MAX:
            cache[key] = found
        return found

    def _role(self, t: Tok) -> str:
        """``failure`` for class 4/5, ``success`` for class 2/3."""
        return "failure" if t.code[0] in "45" else "success"

    def _medium_ok(self, pos: int) -> bool:
        """Does a medium token at ``pos`` count: the text is about mail and the line not only about HTTP?"""
        if not self.doc_smtp:
            return False
        smtp_words, http_words = self.line_flags(pos)
        return smtp_words or not http_words

    def _smtp_line(self, pos: int) -> bool:
        """The line names SMTP things, or the text is about mail and the line is not about HTTP."""
        smtp_words, http_words = self.line_flags(pos)
        return smtp_words or (self.doc_smtp and not http_words)

    def counts_as_failure(self, t: Tok) -> bool:
        """A kept failure-role token that is strong, or medium in a text about mail on a non-HTTP line."""
        if not t.keep or t.role != "failure":
            return False
        if t.strength == "strong":
            return True
        return t.strength == "medium" and self._medium_ok(t.s)

    def mention(self, t: Tok) -> CodeMention:
        """The public :class:`CodeMention` of ``t``, its span mapped back to the caller's text."""
        s = self.omap.to_original(t.s)
        e = max(s, self.omap.to_original(t.e - 1) + 1)
        return CodeMention(t.code, t.kind, s, e, t.role, t.context, t.strength,
                           t.paired.code if t.paired is not None else None)


