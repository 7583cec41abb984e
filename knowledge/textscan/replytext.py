"""Stage 4b, reply text: the server's words after a code, as one line.

Where a reply text ends: at the quote or bracket that closes the one opened before its code (``'550
5.1.1 ...'``, ``(550, b'...')``, ``["550 ..."]``), at the ``)`` that closes Postfix's ``status=bounced
(host X said: ...)``, at a table cell's separator, at ``(in reply to X command)``; a reply folded over
several lines (Postfix wraps it, RFC 5321 §4.2.1 multi-line replies ``550-...`` / ``550 ...``) is read to
its last line.  :meth:`ReplyTextMixin.clean` joins the lines, drops the codes repeated on continuation
lines and the closers left by the surrounding syntax.
"""

from __future__ import annotations

import re

from knowledge.textscan.results import LINE_REACH, REPLY_REACH
from knowledge.textscan.rules import _PAREN_CLOSE_RE, _PAREN_RE
from knowledge.textscan.tokens import Tok

__all__ = ["ReplyTextMixin"]

_IN_REPLY_RE = re.compile(r"(?i)\(in[ \t\n]+reply[ \t\n]+to[ \t\n]+(?:the[ \t\n]+)?([A-Za-z][A-Za-z \t\n-]{1,40}?)[ \t\n]+command\)")
_TRANSCRIPT_PREFIX_RE = re.compile(r"(?:->|<-|<\*\*|\*\*>|C:|S:|>>>|<<<|CLIENT -> SERVER:|SERVER -> CLIENT:)")
_FRAME_RE = re.compile(r"-{2,}[ \t]*End of|at[ \t]+[\w.$<>`'/-]+[ \t]*\(|at[ \t]+[\w.$<>]+\.[\w$<>]+[ \t]*$|File[ \t]+\"|"
                       r"[A-Za-z_]\w{0,40}:[ \t]|[{}\]]|\.\.\.[ \t]*\d+[ \t]+more|Traceback|Caused by")
_STOP_TEXT_RE = re.compile(r"(?i)\(in reply to\b|;[ \t]+from=<|[ \t]+proto=E?SMTP\b")
_CLOSERS = {"'": "'", '"': '"', "[": "]", "(": ")", "`": "`", "<": ">"}


class ReplyTextMixin:
    """Reply-text reading, as methods of the failure builder (which provides ``doc``, ``text`` and the
    record methods of :class:`~knowledge.textscan.records.RecordsMixin`)."""

    __slots__ = ()

    def reply_text(self, tok: Tok, start: int, code_end: int) -> tuple[str, int]:
        """``(text, end)``: the cleaned reply text after the code at ``start``..``code_end`` and where it ends."""
        t = self.text
        # opener: a quote/bracket right before the reply code, or the quote of a (550, b'...') tuple
        j = start - 1
        while j >= 0 and t[j] in " \t":
            j -= 1
        opener = t[j] if j >= 0 else ""
        if tok.paired is not None and tok.kind == "reply":
            q = re.search(r",[ \t]*b?(['\"])", t[tok.e:tok.paired.s])
            if q:
                opener = q.group(1)
        close = _CLOSERS.get(opener) if opener in "'\"[(`" else None
        begin = code_end
        if close == ")" and _PAREN_CLOSE_RE.match(t, code_end):
            if tok.context != "smtp-key":
                return "", code_end  # "... exceeded (451)", "retcode (550); Msg: ...": the text is elsewhere
            # "SMTP Error (550): Failed to add recipient ...": the reply text follows the parenthesis
            begin = _PAREN_CLOSE_RE.match(t, code_end).end()
            close = None
        if close:
            end = self._closed_end(code_end, opener, close, j >= 0 and self.escaped(j))
            if end < 0:
                end = self._line_reply_end(code_end, tok)
        else:
            end = self._enclosed_end(start, begin, self._line_reply_end(begin, tok))
            cell = "\t" if t[start - 1:start] == "\t" else opener
            if cell and cell in "\t|":
                # a table cell ("87.5%<TAB>554 Message rejected<TAB>...", "| 550 ... | ... |") ends at the next separator
                sep = t.find(cell, begin, end)
                if sep >= 0:
                    end = sep
        raw = t[begin:end]
        low = raw.casefold()
        stop = _STOP_TEXT_RE.search(raw) if ("reply" in low or "from=" in low or "proto" in low) else None
        if stop:
            raw = raw[:stop.start()]
        return self.clean(raw, tok), end

    def _closed_end(self, code_end: int, opener: str, close: str, opener_escaped: bool) -> int:
        """Where the quote or bracket ``opener`` (before the code) is closed, or -1 (a blank line or
        :data:`REPLY_REACH` characters first).  ``opener_escaped``: it was written ``\\"`` (inside a JSON
        string), so ``\\"`` closes it."""
        t = self.text
        limit = min(len(t), code_end + REPLY_REACH)
        depth = 0
        k = code_end
        while k < limit:
            c = t[k]
            if c == "\\":
                k += 2
                continue
            if close in ")]" and c == opener:
                depth += 1
            elif c == close and close in "'\"" and (
                    (0 < k and t[k - 1].isalnum() and t[k + 1:k + 2].isalnum())
                    or (self.escaped(k) and not opener_escaped)):
                pass  # an escaped quote or an apostrophe inside the quoted reply (b'... recipient\'s ...')
            elif c == close:
                if depth == 0:
                    return k
                depth -= 1
            elif c == "\n" and t.startswith("\n\n", k):
                return -1
            k += 1
        return -1

    def escaped(self, pos: int) -> bool:
        """True when the character at normalised ``pos`` was written with a backslash escape (``\\"``)."""
        o = self.doc.omap.to_original(pos)
        return 0 <= o < len(self.doc.raw) and self.doc.raw[o] == "\\" and self.text[pos] != "\\"

    def _enclosed_end(self, start: int, code_end: int, end: int) -> int:
        """Cut a reply text at the ``)`` that closes a parenthesis opened before the code on its line.

        Postfix writes ``status=bounced (host X said: 550 ... text) orig_to=<...>``: the reply ends at the
        parenthesis that ``status=bounced (`` opened, not at the end of the log line."""
        if not self._open_paren_before(start):
            return end
        d = 0
        for m in _PAREN_RE.finditer(self.text, code_end, end):
            if m.group() == "(":
                d += 1
            else:
                if d == 0:
                    return m.start()
                d -= 1
        return end

    def _open_paren_before(self, start: int) -> bool:
        """Is a ``(`` before ``start`` on its line left open?  Walks back over the parentheses only: the
        nearest unmatched ``(`` is usually right there (``status=bounced (host X said: 550 ...``)."""
        t = self.text
        ls = t.rfind("\n", max(0, start - LINE_REACH), start) + 1
        if ls == 0 and start > LINE_REACH:
            ls = start - LINE_REACH
        close = 0
        hi = start
        o, c = t.rfind("(", ls, hi), t.rfind(")", ls, hi)
        while o >= 0:
            if c > o:
                close += 1
                hi = c
                c = t.rfind(")", ls, hi)
                continue
            if close == 0:
                return True
            close -= 1
            hi = o
            o = t.rfind("(", ls, hi)
        return False

    def _line_reply_end(self, code_end: int, tok: Tok) -> int:
        t = self.text
        rs, re_ = self.record_bounds(self.record_of(code_end))
        re_ = min(re_, code_end + REPLY_REACH)  # a reply text is never longer than this
        le = t.find("\n", code_end, re_)
        if le < 0:
            return re_
        # Postfix wraps the human part: when "(in reply to" follows in the same record, extend to it
        m = _IN_REPLY_RE.search(t, code_end, min(re_, code_end + 2000))
        if m and "\n\n" not in t[code_end:m.start()]:
            return m.end()
        end = le
        code = tok.code if tok.kind == "reply" else None
        # RFC 5321 §4.2.1: "550-" says more lines follow, "550 " is the last line of the reply
        more = bool(code) and t[tok.e:tok.e + 1] == "-"
        while end < re_:
            nxt_end = t.find("\n", end + 1)
            if nxt_end < 0 or nxt_end > re_:
                nxt_end = re_
            line = t[end + 1:nxt_end]
            stripped = line.lstrip(" \t>")
            folded = line[:1] in (" ", "\t")
            same_code = bool(code) and stripped.startswith(code) and stripped[3:4] in ("-", " ", "")
            if not stripped or not (folded or same_code):
                break
            if same_code and not more:
                break  # the previous line ended its reply: this one is a new reply with the same code
            if same_code:
                more = stripped[3:4] == "-"
            if folded and (_FRAME_RE.match(stripped) or _TRANSCRIPT_PREFIX_RE.match(stripped)):
                break
            if re.match(r"(?i)[A-Za-z-]{2,40}:[ \t]", stripped) and not folded:
                break
            end = nxt_end
        return end

    def clean(self, raw: str, tok: Tok) -> str:
        """A reply text as one line: spaces collapsed, the codes of continuation lines dropped, the
        closers and string ends left by the surrounding syntax removed, at most 1,000 characters."""
        s = raw
        if tok.kind == "reply":
            enh = tok.paired.code if tok.paired is not None else None
            s = " ".join(s.split())
            pat = re.escape(tok.code) + (r"(?:[ -]" + re.escape(enh) + r")?" if enh else "") + r"(?:[ -]|$)"
            s = re.sub(r"(?:(?<=\s)|^)" + pat, " ", s)
            if enh:
                s = re.sub(r"(?<=\s)" + re.escape(enh) + r"(?=\s)", " ", s)
        s = " ".join(s.split())
        s = re.sub(r"[ >]*#SMTP#$", "", s)
        jm = re.search(r"([\"'])[\]}),;\s]*$", s)
        if jm and s.count(jm.group(1)) % 2 == 1:  # the end of a JSON / repr string value
            s = s[:jm.start()]
        s = _drop_closers(s.strip(" -:;,"))
        if len(s) > 1000:
            s = s[:997] + "..."
        return s.encode("utf-8", "replace").decode("utf-8") if s else s


def _drop_closers(s: str) -> str:
    """Drop up to three closers (``)`` ``]`` ``>`` or an odd quote) left at the end by the surrounding syntax."""
    for _ in range(3):
        if s and s[-1] in ")]>'\"" and s.count(s[-1]) > s.count({")": "(", "]": "[", ">": "<"}.get(s[-1], s[-1])) - (
                0 if s[-1] in ")]>" else -1):
            s = s[:-1].rstrip()
        elif (s.endswith("'") or s.endswith('"')) and (s.count(s[-1]) % 2) == 1:
            s = s[:-1].rstrip()
        else:
            break
    return s
