"""Stage 3, context rules (engine): decide for each token whether it is a code, in which role and how
strongly.

A reply code followed by an enhanced code of the same class is a code (``pair``); so is a token after
``said:``, ``smtp;``, ``Status:``, ``dsn=``, ``#``, an SMTP exception name, ``responseCode:``, ``got
code``, at the start of a reply line, after a transcript marker behind a log prefix (``mta: 0x1: <<<
554``), in a table cell, in ``SMTP Error (550)``, in ``(451)`` when an enhanced code of its class is on the
line, on the lines of a multi-line reply (RFC 5321 §4.2.1), etc.  The reply a client did not expect
(``Expected response code 354 but got code "250"``) is a failure whatever its class.  Each kept token
gets a *strength*: ``strong`` (SMTP context on its own), ``medium`` (code-like, counted only when the text
talks about mail and the line is not about HTTP) or ``weak`` (a bare number: never a failure).
The patterns are data in :mod:`knowledge.textscan.rules` and :mod:`knowledge.textscan.words`.
"""

from __future__ import annotations

import re

from knowledge.smtp.codes import POSITIVE_REPLY_CODES, SERVER_REPLY_CODES, in_registry_range
from knowledge.textscan.results import LINE_REACH
from knowledge.textscan.rules import (
    _CELL_START_RE, _CODE_LABEL_RE, _ENH_BEFORE, _ENH_VERSION_AFTER, _ERROR_WORD_AFTER, _ERROR_WORD_BEFORE,
    _EXPECT_BEFORE_RE, _GLUED_BEFORE, _GOT_END_RE, _LINE_END_AFTER, _NAME_VALUE_BEFORE, _NEXT_LINE_CODE_RE,
    _NUM3_RE, _PAREN_CLOSE_RE, _REJECT_AFTER_REPLY, _REPLY_BEFORE, _REPLY_TEXT_AFTER, _SMTP_EXC_NAME_RE,
    _SMTP_EXC_TUPLE_RE, _SMTP_UNEXPECTED_RE, _TUPLE_AFTER, _VALUE_START, _VERSION_LINE_RE, _VERSIONS_HEADING_RE)
from knowledge.textscan.tokens import Tok
from knowledge.textscan.words import _REPLY_WORDS_RE, _SELF_EVIDENT, _STRONG_ENH, _STRONG_REPLY

__all__ = ["ClassifyMixin"]

_SMTP_CONTEXT_WORDS = re.compile(r"(?i)(?:smtp|error|code|bounce|reject|fail|reply|response|错误|失败|返回|エラー)")
_REPLY_KEY_WORDS = re.compile(r"(?i)(?:response|reply|smtp)")


class ClassifyMixin:
    """The context rules, as methods of :class:`~knowledge.textscan.doc.Doc` (which provides ``text``,
    ``toks``, ``transcript``, ``doc_smtp``, the line helpers and the rule caches)."""

    __slots__ = ()

    def classify_all(self) -> None:
        """Classify every token (context, strength, role, keep), then settle what needs the neighbours."""
        for t in self.toks:
            if t.kind == "reply":
                self._classify_reply(t)
                if t.paired is not None and (not t.keep or t.role == "expected"):
                    t.paired.paired = None  # "HTTP 500 ..." or an expected code: its neighbour stands alone
                    t.paired = None
            else:
                self._classify_enh(t)
            if t.strength == "medium" and not self._plausible(t):
                t.strength = "weak"
            elif (t.kind == "reply" and t.strength == "strong" and t.code not in SERVER_REPLY_CODES
                  and t.context not in _SELF_EVIDENT):
                t.strength = "weak"  # "ErrorCode 406" (an API's code), not an SMTP reply
        self._settle()

    # -- neighbours ------------------------------------------------------------------------------
    def _settle(self) -> None:
        """Decisions that need the neighbours of a token, once every token is classified.

        * ``(451)`` after a reply text is a reply code when an enhanced code of the same class stands on the
          same line (``4.7.1 Ratelimit exceeded (451)``);
        * the lines of a multi-line reply (RFC 5321 §4.2.1: ``554-text`` then ``554 text``, also read out of a
          string literal's ``\\r\\n``) vouch for each other;
        * the reply a client did not expect, repeated in its message (``got code "250", with message "250
          Accepted"``), is the failure in every repetition, and so is the enhanced code sent with it.
        """
        unexpected: list[tuple[int, Tok]] = []
        for i, t in enumerate(self.toks):
            if t.kind != "reply":
                continue
            if t.paren:
                self._settle_paren(i, t)
                continue
            if not t.keep:
                continue
            if t.role == "failure" and t.code[0] in "23":
                unexpected.append((i, t))
            if self.text[t.e:t.e + 1] == "-" and t.code in SERVER_REPLY_CODES and self._starts_reply(t):
                self._settle_multiline(i, t)
        for j, u in unexpected:
            self._settle_unexpected(j, u)

    def _settle_paren(self, i: int, t: Tok) -> None:
        """``(451)``: a reply code when an enhanced code of its class stands on the same line."""
        ls, le = self.line_bounds(t.s)
        if any(e.kind == "enhanced" and e.keep and e.strength != "weak" and e.code[0] == t.code[0]
               and ls <= e.s < le and abs(e.s - t.s) <= 300 for e in self.toks[max(0, i - 8):i + 8]):
            t.keep, t.context, t.strength = True, "paren", "strong"

    def _settle_multiline(self, i: int, t: Tok) -> None:
        """``554-...`` followed by a line opening with ``554``: both lines are a multi-line reply."""
        text = self.text
        nl = text.find("\n", t.e, t.e + LINE_REACH)
        if nl < 0:
            return
        m = _NEXT_LINE_CODE_RE.match(text, nl + 1)
        if not m or m.group(1) != t.code:
            return
        nxt = next((u for u in self.toks[i + 1:i + 6] if u.s == m.start(1)), None)
        for u in (t, nxt):
            if u is not None and u.keep and u.strength != "strong":
                u.context, u.strength = "multiline", "strong"

    def _settle_unexpected(self, j: int, u: Tok) -> None:
        """The unexpected reply ``u`` (class 2/3) repeated in the same paragraph is the failure each time."""
        text = self.text
        if u.paired is not None:
            u.paired.role = "failure"
        for v in self.toks[j + 1:j + 12]:
            if v.s - u.e > 250 or "\n\n" in text[u.e:v.s]:
                break
            if v.kind == "reply" and v.code == u.code and v.keep and v.role != "expected":
                v.role, v.strength = "failure", "strong"
                if v.paired is not None:
                    v.paired.role = "failure"

    def _starts_reply(self, t: Tok) -> bool:
        """Does reply token ``t`` open a reply line (line start, a quote or bracket, a transcript marker)?"""
        window = self.text[max(0, t.s - 70):t.s]
        return t.context in ("transcript", "said", "value", "smtp-diag", "diagnostic") or self.at_line_start(t.s) \
            or bool(_VALUE_START.search(window))

    # -- reply codes -----------------------------------------------------------------------------
    def _classify_reply(self, t: Tok) -> None:
        text = self.text
        window = text[max(0, t.s - 70):t.s]
        after = text[t.e:t.e + 60]
        rule = self._before_rule(_REPLY_BEFORE, window)
        closed = bool(_PAREN_CLOSE_RE.match(after)) and window.rstrip(" \t").endswith("(")
        if rule == "reject-paren-num" and not closed:
            rule = None  # "timed out (110)" is an errno; "SMTPFatalError (554 Message rejected)" is a reply
        t.role = self._role(t)
        # "500 lines", "421 ms", "502 Bad Gateway" -- unless an SMTP context says otherwise ("said: 500 Line limit")
        if (_REJECT_AFTER_REPLY.match(after) and rule not in ("said", "smtp-diag", "diagnostic", "transcript")
                and not (t.paired and rule != "reject-http")):
            t.keep = False
            return
        if rule == "expected":
            t.context, t.strength, t.role = "expected", "strong", "expected"
            return
        rule = self._reply_rule_checked(t, rule, window, after)
        if not self._reply_by_rule(t, rule, window, after, closed):
            self._reply_by_shape(t, rule, window, after)

    def _reply_rule_checked(self, t: Tok, rule: str | None, window: str, after: str) -> str | None:
        """The rule found before a reply code, second-guessed where a transcript marker or an "unexpected"
        wording is not what it seems."""
        if rule == "transcript" and not ("<<" in window[-8:] or _REPLY_TEXT_AFTER.match(after) or after[:1] == "-"):
            rule = None  # "y <- 450 + x" (R code), "S: 550" with no reply text: not a server line
        # "Expected response code 250 but got code "235"", "expected 354, got 250": the reply the client
        # did not expect is the failure, whatever its class (Swift Mailer, Symfony, Go, Python clients)
        if (rule in (None, "got", "got-code", "value-key") and self._window_has(_GOT_END_RE, window)
                and self._expected_smtp_reply(t)):
            rule = "unexpected"
        elif rule == "unexpected" and not _SMTP_UNEXPECTED_RE.search(window) and not self._smtp_line(t.s):
            rule = None  # "Unexpected response: 503" from a web API is not an SMTP reply
        return rule

    def _reply_by_rule(self, t: Tok, rule: str | None, window: str, after: str, closed: bool) -> bool:
        """Decide reply token ``t`` by its rule alone; False when the rule leaves it to the shape."""
        if rule == "unexpected":
            t.context, t.strength, t.role = "unexpected", "strong", "failure"
        elif t.code[0] in "23" and _SMTP_EXC_TUPLE_RE.search(window):
            # smtplib raises SMTPDataError(250, b'...') when DATA is answered with 250: that reply is the failure
            t.context, t.strength, t.role = "exception", "strong", "failure"
        elif closed and rule in (None, "reject-paren-num"):
            # "... exceeded (451)", "Sending failed (550)": a reply code only when an enhanced code of the
            # same class stands on the line (see _settle); "Connection refused (111)" never
            t.context, t.strength, t.paren = "paren", "weak", True
            t.keep = rule is None
        elif t.paired is not None and rule != "reject-http":
            t.context, t.strength = "pair", "strong"
        elif rule and rule.startswith("reject"):
            t.keep = False
        elif rule in _STRONG_REPLY:
            t.context, t.strength = rule, "strong"
        elif window.rstrip(" \t").endswith("(") and _TUPLE_AFTER.match(after):
            t.context, t.strength = "exception", "strong"  # an exception's (code, b'text') tuple
        else:
            return False
        return True

    def _reply_by_shape(self, t: Tok, rule: str | None, window: str, after: str) -> None:
        """Decide reply token ``t`` by what surrounds it: a value, a reply line, a table cell, a
        ``label: code text`` line, a code glued to CJK text, error words, else a bare number."""
        text_follows = bool(_REPLY_TEXT_AFTER.match(after))
        line_specific = self.line_flags(t.s)[0]
        stripped = window.rstrip(" \t")
        if rule == "value-key":
            t.context = "value"
            t.strength = "strong" if (text_follows and _REPLY_KEY_WORDS.search(window[-30:])) else (
                "medium" if text_follows else "weak")
        elif text_follows and (self.at_line_start(t.s) or _VALUE_START.search(window)):
            t.context = "reply-line"
            t.strength = "strong" if (self.transcript or line_specific) else self._replyish(t.e)
        elif text_follows and _CELL_START_RE.search(window):
            # a cell of a pasted table ("100.0%<TAB>550 Message rejected" in an error tracker's summary)
            t.context = "cell"
            text = self.text
            near = _SMTP_EXC_NAME_RE.search(text, max(0, t.s - 300), min(len(text), t.e + 300))
            t.strength = "strong" if (line_specific or near) else self._replyish(t.e)
        elif text_follows and stripped.endswith((":", "：", "]", "|", ">")) and stripped[-2:] not in ("::",):
            t.context = "colon-reply"
            t.strength = "strong" if line_specific else self._replyish(t.e)
        elif _GLUED_BEFORE.search(window) or (after[:1] and ord(after[0]) > 127):
            t.context, t.strength = "glued", "medium"
        elif _ERROR_WORD_AFTER.match(after) or (
                self._window_has(_ERROR_WORD_BEFORE, window) and _SMTP_CONTEXT_WORDS.search(window[-24:])):
            t.context, t.strength = "error-word", "medium"
        else:
            t.context, t.strength = "bare", "weak"

    # -- enhanced status codes -------------------------------------------------------------------
    def _classify_enh(self, t: Tok) -> None:
        text = self.text
        t.role = self._role(t)
        if t.paired is not None:
            t.context, t.strength = "pair", "strong"
            return
        window = text[max(0, t.s - 70):t.s]
        after = text[t.e:t.e + 40]
        rule = self._enh_rule(t, window, after)
        if rule and rule.startswith("reject"):
            t.keep = False
            return
        if rule in _STRONG_ENH:
            t.context, t.strength = rule, "strong"
            return
        text_follows = bool(_REPLY_TEXT_AFTER.match(after))
        if text_follows and (self.at_line_start(t.s) or _VALUE_START.search(window)):
            t.context = "reply-line"
            t.strength = "medium" if self.line_flags(t.s)[0] else self._replyish(t.e)
            return
        stripped = window.rstrip(" \t")
        if text_follows and stripped.endswith(":"):
            t.context = "colon-reply"
            t.strength = "medium" if self.line_flags(t.s)[0] else self._replyish(t.e)
            return
        if _GLUED_BEFORE.search(window) or (after[:1] and ord(after[0]) > 127):
            t.context, t.strength = "glued", "medium"
            return
        t.context, t.strength = "bare", "weak"

    def _enh_rule(self, t: Tok, window: str, after: str) -> str | None:
        """The rule before an enhanced code, with software versions (``PHP: 5.4.45``, ``5.4.2-beta``, a
        versions block) turned into ``reject-version``."""
        rule = self._before_rule(_ENH_BEFORE, window)
        if rule in (None, "exception") and _LINE_END_AFTER.match(after) and self._versions_block(t.s):
            return "reject-version"  # "WP Mail SMTP: 2.1.0" among "PHP: 7.4.3" / "WordPress: 5.4.2" lines
        if rule is None and (_ENH_VERSION_AFTER.match(after) or (
                _LINE_END_AFTER.match(after) and _NAME_VALUE_BEFORE.search(window)
                and not _CODE_LABEL_RE.search(_NAME_VALUE_BEFORE.search(window).group(1)))):
            # "5.4.2-beta", "5.4.4+deb10u1"; "PHP: 5.4.45" / "OpenSMTPD 5.4.2" alone at the end of a line
            # (a versions block): a software version, never an enhanced status code
            return "reject-version"
        return rule

    # -- evidence helpers ------------------------------------------------------------------------
    def _expected_smtp_reply(self, t: Tok) -> bool:
        """Does an "expected ..." come before ``t`` (same paragraph, 200 characters), naming an SMTP success
        code (220, 250, 354 ... which HTTP never uses) or on a line about SMTP?"""
        pre = self.text[max(0, t.s - 200):t.s]
        m = _EXPECT_BEFORE_RE.search(pre)
        if m is None:
            return False
        if any(c in POSITIVE_REPLY_CODES for c in _NUM3_RE.findall(pre, m.start())):
            return True
        return self._smtp_line(t.s)

    def _versions_block(self, pos: int) -> bool:
        """Is the line at ``pos`` a ``Label: x.y.z`` line next to another such line or under a "Versions:" heading?"""
        t = self.text
        ls, le = self.line_bounds(pos)
        if not _VERSION_LINE_RE.fullmatch(t, ls, le):
            return False
        ps = t.rfind("\n", max(0, ls - 300), max(0, ls - 1)) + 1
        if ls > 0 and _VERSION_LINE_RE.fullmatch(t, ps, ls - 1):
            return True
        ne = t.find("\n", le + 1, le + 300)
        if le < len(t) and _VERSION_LINE_RE.fullmatch(t, le + 1, len(t) if ne < 0 else ne):
            return True
        return bool(_VERSIONS_HEADING_RE.search(t, max(0, ls - 400), ls))

    def _replyish(self, pos: int) -> str:
        """'medium' when the words after ``pos`` read like a server's reply, else 'weak'."""
        return "medium" if _REPLY_WORDS_RE.search(self.text, pos, min(len(self.text), pos + 160)) else "weak"

    def _plausible(self, t: Tok) -> bool:
        """Is a code found in a merely code-like context one that SMTP servers send?"""
        if t.kind == "reply":
            if t.code not in SERVER_REPLY_CODES:
                return False
            # 500/502/503/504 are far more often HTTP statuses: the line must talk about SMTP
            return t.code not in ("500", "502", "503", "504") or self.line_flags(t.s)[0]
        return in_registry_range(t.code)
