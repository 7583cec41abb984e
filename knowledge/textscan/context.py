"""Stage 4c, failure context: the recipient, the SMTP command answered, the remote host and the action of
each failure.

Recipient: the record's DSN ``Final-Recipient`` (RFC 3464 §2.3.2), else the nearest of Postfix ``<addr>:``
/ ``to=<addr>``, ``RCPT TO:<addr>``, smtplib's refused-recipient dict, Exim ``** addr``, PHPMailer
``recipients failed: addr``, Courier ``addr=<addr>``, a CSV recipient column before the reply, else an
address the reply names, else a client's one-address refused list.  Command
(:func:`knowledge.smtp.commands.normalise_command`): Postfix ``(in reply to X command)``, Exim ``after X``,
a client's ``X command failed`` or exception name, Postfix smtpd ``reject: X from``; in a session
transcript each reply goes to the command it answers, pipelined commands included (RFC 2920 §3.1).
Host: :data:`knowledge.smtp.hosts.REMOTE_HOST_PATTERNS`.  Action: Postfix ``status=bounced/deferred``,
Sendmail ``stat=``, Exim ``**`` / ``==``, qmail ``delivery N: failure/deferral``, DSN ``Action:``.
"""

from __future__ import annotations

import re

from knowledge.smtp.addresses import FREE_TEXT_ADDRESS as _ADDR
from knowledge.smtp.commands import NO_RECIPIENT_COMMANDS as _NO_RCPT_COMMANDS
from knowledge.smtp.commands import normalise_command
from knowledge.smtp.hosts import REMOTE_HOST_PATTERNS
from knowledge.textscan.replytext import _IN_REPLY_RE, _TRANSCRIPT_PREFIX_RE
from knowledge.textscan.words import _TS

__all__ = ["ContextMixin", "is_command_line"]

_RCPT_BEFORE_RES = [
    re.compile(r"(?m)^[ \t>*-]*<?(" + _ADDR + r")>?(?:[ \t]*\(expanded from[^)\n]{0,300}\))?[ \t]*:(?:[ \t]|$)"),
    re.compile(r"(?i)\bto=<(" + _ADDR + r")>"),
    re.compile(r"(?i)\brcpt to:?[ \t]*<?(" + _ADDR + r")>?"),
    re.compile(r"['\"](" + _ADDR + r")['\"][ \t]*:[ \t]*[(\[]"),
    re.compile(r"(?m)^[ \t>*-]*<?(" + _ADDR + r")>?[ \t]*$"),
    re.compile(r"(?i)\b(?:recipient|rcpt|address|emailAddress|final_?recipient|bounced_?recipient)[\"']?[ \t]*"
               r"(?:address)?[\"']?[ \t]*[:=][ \t]*[\"'<]?(" + _ADDR + r")[\"'>]?"),
    re.compile(r"(?i)(?:^|[\s:])(?:\*\*|==)[ \t]+<?(" + _ADDR + r")>?"),  # Exim "** addr" (failed), "== addr" (deferred)
    re.compile(r"(?i)\brecipients?[ \t]+failed:[ \t]*<?(" + _ADDR + r")>?[ \t]*:"),  # PHPMailer
    re.compile(r"(?i)\baddr=<(" + _ADDR + r")>"),  # Courier "addr=<a@x>: 550 ..."
    # a delimited log/CSV line whose recipient column comes right before the status column
    # (Exchange message tracking "...,bob@example.com,550 5.1.1 ...")
    re.compile(r"[,;\t|][ \t]*\"?<?(" + _ADDR + r")>?\"?[ \t]*[,;\t|][ \t]*\"?\Z"),
]
_TO_AFTER_RE = re.compile(r"(?i)\b(?:to=<|rcpt=<?|[\"']?(?:recipient|emailAddress)[\"']?[ \t]*[:=][ \t]*[\"'<]?)(" + _ADDR + r")")
# nodemailer's result / error objects: "rejected: [ 'a@x' ]" and "envelope: { from: ..., to: [ 'a@x' ] }"
_ADDR_IN_TEXT_RE = re.compile(r"^(?:[^<\[\n]{0,40}?[<\[](" + _ADDR + r")[>\]]|(" + _ADDR + r")(?=[ \t]*(?::|\.\.\.)|[.,;]?(?:[ \t]|$)))")

_HOST_RES = list(REMOTE_HOST_PATTERNS)  # host said / relay= / Remote-MTA / while talking to / <host #x.y.z / H=
_HOST_BEFORE_RES = [p for i, p in enumerate(_HOST_RES) if i != 2]  # Remote-MTA is a record field
_CMD_BEFORE_RES = [
    re.compile(r"(?i)\bafter[ \t]+(?:pipelined[ \t]+)?(RCPT TO|MAIL FROM|DATA|end of data|initial connection|EHLO|HELO|"
               r"AUTH|STARTTLS|BDAT|sending data block)"),
    re.compile(r"(?i)\b(RCPT TO|MAIL FROM|DATA END|RCPT|MAIL|DATA|AUTH|EHLO|HELO|STARTTLS|RSET|VRFY|BDAT|QUIT|Password|Username)"
               r"[ \t]+(?:command failed|not accepted)"),
    re.compile(r"(?i)\breject:[ \t]+(RCPT|MAIL|DATA|END-OF-MESSAGE|CONNECT|HELO|EHLO|VRFY|ETRN|AUTH)[ \t]+from"),
    re.compile(r"(SMTPRecipientsRefused|SMTPSenderRefused|SMTPDataError|SMTPAuthenticationError|SMTPHeloError|"
               r"SMTPAddressFailedException|SmtpFailedRecipientsException|SmtpFailedRecipientException|"
               r"AuthenticationFailedException)"),
    re.compile(r"(?i)(refused to talk to me|Invalid login|Mail command failed|Recipient command failed|all recipients were rejected|"
               r"Data command failed|Message failed|EAUTH|EENVELOPE|EMESSAGE|authentication failed|"
               r"could not authenticate|failed to authenticate|Can't send mail)"),
]
_TRANSCRIPT_CMD_RE = re.compile(r"(?i)^[ \t>]*" + _TS + r"(?:C:|>>>|->|\*\*>|CLIENT -> SERVER:|send:[ \t]*b?['\"])?[ \t]*(mail from|rcpt to|ehlo|helo|data|\.|auth|"
                                r"starttls|rset|quit|bdat|vrfy)\b")
# a server line of a session transcript (swaks "<-" / "<**", "S:", "<<<", PHPMailer "SERVER -> CLIENT:",
# smtplib "reply: b'...'"); group 1 is "-" on a continuation line of a multi-line reply (RFC 5321 §4.2.1)
_TRANSCRIPT_REPLY_RE = re.compile(r"(?i)^[ \t>]*" + _TS + r"(?:S:|<-+|<\*\*|<<<|SERVER -> CLIENT:|reply:)?[ \t]*"
                                  r"(?:b?['\"])?[2-5][0-5][0-9]([ -]|$|\\r|['\"])")
_RCPT_ARG_RE = re.compile(r"(?i)rcpt[ \t]+to:?[ \t]*<?(" + _ADDR + r")")
_LOG_ACTION_RE = re.compile(
    r"(?i)\bstatus=(bounced|deferred|sent|expired|undeliverable)\b"  # Postfix
    r"|\bstat=(deferred|sent)\b"  # Sendmail ("stat=User unknown" is a bounce: see _LOG_DSN_CLASS_RE)
    r"|(?:^|[ \t])(\*\*|==)[ \t]+<?[^\s@<>]{1,64}@"  # Exim: ** failed, == deferred
    r"|\bdelivery[ \t]+\d{1,12}:[ \t]+(failure|deferral):"  # qmail
    r"|\b(defer)[ \t]+\(-?\d{1,4}\)")  # Exim "defer (-44)"
_LOG_ACTION_KEYS = ("stat", "**", "==", "defer", "very")  # one of these is in every _LOG_ACTION_RE match
_LOG_ACTION_WORDS = {"bounced": "failed", "deferred": "delayed", "expired": "failed", "undeliverable": "failed",
                     "sent": "sent", "**": "failed", "==": "delayed", "failure": "failed", "deferral": "delayed",
                     "defer": "delayed"}
# Sendmail / Postfix per-recipient log line: "to=<addr>, ... dsn=5.1.1, stat=..." -- the dsn= class says
# bounced (5) or deferred (4) when no status word does.
_LOG_DSN_CLASS_RE = re.compile(r"(?i)\bto=<?[^\s@<>,]{1,64}@[^\n]{0,2000}?\bdsn=([45])\.\d{1,3}\.\d{1,3}")
# a log line about one recipient's delivery: each such line is a record of its own (N lines -> N failures)
_SENDER_RE = re.compile(r"(?i)sender")


def is_command_line(line: str) -> bool:
    """A client command line of a session transcript ("RCPT TO:<a@x>", "C: DATA", " -> QUIT", the lone ".")."""
    if line.strip() == ".":
        return True
    cm = _TRANSCRIPT_CMD_RE.match(line)
    return bool(cm) and (cm.group(1) != "." or bool(_TRANSCRIPT_PREFIX_RE.search(line[:40])))


class ContextMixin:
    """Failure context, as methods of the failure builder (which provides ``doc``, ``text`` and the record
    methods of :class:`~knowledge.textscan.records.RecordsMixin`)."""

    __slots__ = ()

    def _search_before(self, patterns, lo: int, hi: int) -> tuple[int, str] | None:
        """The match of ``patterns`` in ``lo``..``hi`` that starts last: ``(start, group 1)``, or None."""
        best: tuple[int, str] | None = None
        for pat in patterns:
            for m in pat.finditer(self.text, lo, hi):
                if best is None or m.start() > best[0]:
                    best = (m.start(), m.group(1))
        return best

    def fill_context(self, u, lo: int) -> None:
        """Fill in unit ``u``'s recipient, command, host and action from the text around it; markers
        before ``lo`` (the end of the previous unit's code) belong to the previous unit."""
        rs, re_ = self.record_bounds(u.record)
        ls, le = self.doc.line_bounds(u.start)
        lo = max(lo, rs, u.start - 1500)
        info = self.record_info(u.record)
        self._fill_recipient(u, info, lo, le, re_)
        self._fill_command(u, lo, rs, ls)
        b = self._search_before(_HOST_BEFORE_RES, lo, u.start)
        if b:
            u.host = b[1].rstrip(".")
        elif info["host"]:
            u.host = info["host"]
        self._fill_action(u, info, max(rs, ls - 1), min(re_, le + 1))
        self._fill_recipient_from_reply(u)

    def _fill_recipient(self, u, info: dict, lo: int, le: int, re_: int) -> None:
        """The record's Final-Recipient, else the nearest recipient marker before, else ``to=`` after."""
        t = self.text
        if info["rcpt"]:
            u.recipient = info["rcpt"]
            return
        b = self._search_before(_RCPT_BEFORE_RES, lo, u.start)
        if b:
            u.recipient = b[1]
            return
        a_hi = min(re_, max(le, u.start + 600))
        a = _TO_AFTER_RE.search(t, u.start, a_hi) if t.find("@", u.start, a_hi) >= 0 else None
        if a:
            u.recipient = a.group(1)

    def _fill_command(self, u, lo: int, rs: int, ls: int) -> None:
        """``(in reply to X command)`` after the reply, else a command wording before it, else the
        transcript's command line, else an exception name on the line or after the reply."""
        t = self.text
        m = _IN_REPLY_RE.search(t, u.code_end, min(len(t), max(u.text_end, u.code_end) + 40))
        if m:
            u.command = normalise_command(m.group(1))
        if u.command is None:
            b = self._search_before(_CMD_BEFORE_RES, lo, u.start)
            if b:
                u.command = normalise_command(b[1])
        if self.doc.transcript and (u.command is None or u.evidence in ("reply-line", "pair")):
            self._transcript_command(u, ls)
        if u.command is None:
            a = (_CMD_BEFORE_RES[3].search(t, max(rs, ls - 1), u.start)
                 or _CMD_BEFORE_RES[3].search(t, u.start, min(len(t), u.text_end + 200)))
            if a:
                u.command = normalise_command(a.group(1))

    def _transcript_command(self, u, ls: int) -> None:
        """In a session transcript, the command (and RCPT TO argument) that the reply on line ``ls`` answers."""
        t = self.text
        own = t[ls:u.start]
        # "RCPT TO:<a@x>: 550 5.1.1 ..." -- the command and its reply on one line
        line = own if is_command_line(own) else self._answered_command_line(ls)
        if line is None and u.command is None:
            line = self._last_command_line(ls)
        if line is None:
            return
        cm = _TRANSCRIPT_CMD_RE.match(line)
        u.command = (normalise_command(cm.group(1)) if cm else "DATA" if line.strip() == "." else u.command)
        am = _RCPT_ARG_RE.search(line)
        if am and u.command == "RCPT TO":
            u.recipient = am.group(1)

    def _last_command_line(self, ls: int) -> str | None:
        """No clean pairing: the last client command line among the 8 lines before line ``ls``."""
        t = self.text
        pos, steps = ls, 0
        while pos > 0 and steps < 8:
            prev = t.rfind("\n", 0, pos - 1) + 1
            if is_command_line(t[prev:pos - 1]):
                return t[prev:pos - 1]
            pos, steps = prev, steps + 1
        return None

    def _fill_action(self, u, info: dict, a_lo: int, a_hi: int) -> None:
        """``failed`` / ``delayed`` / ``sent`` from the log line's status word, its ``dsn=`` class, or the DSN Action."""
        t = self.text
        am = None
        # a substring test first: on a long line dense with codes the patterns would cost far more
        # (every one of them needs one of these pieces; casefold as re.IGNORECASE does)
        seg = t[a_lo:a_hi].casefold()
        if any(k in seg for k in _LOG_ACTION_KEYS):
            for x in _LOG_ACTION_RE.finditer(t, a_lo, a_hi):
                am = x
        word = next(g for g in am.groups() if g).lower() if am else None
        if word is None:
            dm = _LOG_DSN_CLASS_RE.search(t, a_lo, a_hi) if ("to=" in seg and "dsn=" in seg) else None
            word = ({"5": "bounced", "4": "deferred"}[dm.group(1)] if dm else None) or info["action"]
        if word:
            u.action = _LOG_ACTION_WORDS.get(word, word)

    def _fill_recipient_from_reply(self, u) -> None:
        """The recipient named in the reply itself (``550 5.1.1 <user@example.com>: Recipient address
        rejected``), else the one address of a client's refused list."""
        if u.recipient is None and u.text and u.command != "MAIL FROM" and not _SENDER_RE.search(u.text[:120]):
            m = _ADDR_IN_TEXT_RE.match(u.text)
            if m:
                u.recipient = m.group(1) or m.group(2)
        if u.recipient is None and u.command not in _NO_RCPT_COMMANDS:
            rcpts = self.rejected_list(u.record)
            if len(rcpts) == 1:
                u.recipient = rcpts[0]

    def _answered_command_line(self, ls: int) -> str | None:
        """In a session transcript, the client command line that the reply starting at line ``ls`` answers.

        Replies come back in the order the commands were sent, also when the
        client pipelines several commands (RFC 2920 §3.1): walking back from
        the reply, count the final reply lines (``NNN ``, not ``NNN-``) since
        the last block of command lines, and take that block's command with
        the same rank.  None when the lines do not line up."""
        t = self.text
        k = 1
        pos = ls
        cmds: list[str] = []
        steps = 0
        while pos > 0 and steps < 200:
            steps += 1
            prev = t.rfind("\n", 0, pos - 1) + 1
            line = t[prev:pos - 1]
            pos = prev
            if is_command_line(line):
                cmds.append(line)
                continue
            if cmds and _TRANSCRIPT_REPLY_RE.match(line):
                break  # the reply before the command block
            if not cmds:
                rm = _TRANSCRIPT_REPLY_RE.match(line)
                if rm and rm.group(1) != "-":
                    k += 1
        if not cmds or k > len(cmds):
            return None
        cmds.reverse()
        return cmds[k - 1]

