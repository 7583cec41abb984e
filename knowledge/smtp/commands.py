"""The SMTP command vocabulary: which command (or stage) a server reply answered.

One function, :func:`normalise_command`, maps every spelling the readers meet to one canonical name
(the spellings are data: ``knowledge/data/smtp/commands.toml``, validated by :func:`load_spellings`):
the verbs as MTAs log them (``RCPT``, ``rcpt to``, ``RCPT_TO`` (Yahoo), ``end of DATA``,
``END-OF-MESSAGE`` (Postfix smtpd), ``.`` (a transcript's end of data), ``initial connection`` (Exim),
``CONNECT``), and the names client libraries give a failed step (Python smtplib's
``SMTPRecipientsRefused``, nodemailer's ``EENVELOPE``, JavaMail's ``SMTPAddressFailedException``,
PHPMailer's ``MAIL command failed`` ...).

Canonical names: ``"RCPT TO"``, ``"MAIL FROM"``, ``"DATA"``, ``"BDAT"``, ``"HELO"``, ``"EHLO"``,
``"STARTTLS"``, ``"AUTH"``, ``"RSET"``, ``"VRFY"``, ``"QUIT"``, ``"ETRN"``, and ``"CONN"`` for the
connection greeting (the 220/554 a server sends before any command).

Sources: RFC 5321 §4.1.1 (MAIL, RCPT, DATA, RSET, VRFY, QUIT, HELO/EHLO) and §3.1 / §4.3.1 (the
greeting), RFC 3030 §2 (BDAT), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 1985 (ETRN); the client
names from the smtplib, nodemailer, JavaMail / Jakarta Mail, .NET and PHPMailer documentation.
"""

from __future__ import annotations

import functools
from pathlib import Path

from knowledge.datacache import cached
from knowledge.provenance import is_checked_date

__all__ = ["command_label", "load_vocabulary", "COMMANDS", "GREETING_STAGE", "MESSAGE_STAGE", "NO_RECIPIENT_COMMANDS", "SPELLINGS", "DATA_FILE",
           "CommandDataError", "load_spellings", "spellings", "normalise_command"]

COMMANDS = ("CONN", "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "BDAT", "RSET",
            "VRFY", "QUIT", "ETRN")
"""The canonical names :func:`normalise_command` returns, in session order."""

GREETING_STAGE = frozenset({"CONN", "HELO", "EHLO"})
"""Replies before any mail transaction: the greeting and the client's introduction."""
MESSAGE_STAGE = frozenset({"DATA", "BDAT"})
"""Replies about the message content (after DATA's end of data, or to a BDAT chunk, RFC 3030)."""
NO_RECIPIENT_COMMANDS = ("MAIL FROM", "AUTH", "EHLO", "HELO", "CONN", "STARTTLS")
"""Commands whose reply is about no recipient: a recipient named nearby is not the one refused."""

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "smtp" / "commands.toml"
"""The vocabulary's data file: one ``[[command]]`` per canonical name with its ``spellings``,
``sources`` and ``checked`` date."""



class CommandDataError(ValueError):
    """The command vocabulary file is broken; ``str()`` names the file and the entry."""


def _key(text: str) -> str:
    return " ".join(text.upper().replace("_", " ").replace(":", " ").split())


def _check_entry(i: int, entry: object, shown: str) -> tuple[str, list[str], str | None]:
    """``(name, spellings, label)`` of the ``i``-th ``[[command]]`` entry, validated."""
    if not isinstance(entry, dict):
        raise CommandDataError(f"{shown}: command #{i + 1}: expected a table")
    name = entry.get("name")
    where = f"{shown}: command {name!r}" if isinstance(name, str) else f"{shown}: command #{i + 1}"
    unknown = set(entry) - {"name", "label", "spellings", "sources", "checked"}
    if unknown:
        raise CommandDataError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if name not in COMMANDS:
        raise CommandDataError(f"{where}: name must be one of {', '.join(COMMANDS)}")
    spellings = entry.get("spellings")
    if not (isinstance(spellings, list) and spellings and all(isinstance(x, str) and x for x in spellings)):
        raise CommandDataError(f"{where}: spellings must be a non-empty list of strings")
    for x in spellings:
        if _key(x) != x:
            raise CommandDataError(f"{where}: spelling {x!r} must be written {_key(x)!r}")
    sources = entry.get("sources")
    if not (isinstance(sources, list) and sources and all(isinstance(x, str) and x for x in sources)):
        raise CommandDataError(f"{where}: sources must be a non-empty list of strings")
    checked = entry.get("checked")
    if not is_checked_date(checked):
        raise CommandDataError(f"{where}: checked must be a date written YYYY-MM-DD")
    label = entry.get("label")
    if label is not None and not (isinstance(label, str) and label.strip()):
        raise CommandDataError(f"{where}: label must be a non-empty string")
    return name, spellings, label


def load_spellings(path: Path = DATA_FILE) -> dict[str, str]:
    """Every spelling (upper case, single spaces) -> canonical name, read from ``path`` and validated
    (see :func:`load_vocabulary`)."""
    return load_vocabulary(path)[0]


def load_vocabulary(path: Path = DATA_FILE) -> tuple[dict[str, str], dict[str, str]]:
    """``(spellings, labels)`` read from ``path`` and validated: every spelling (upper case, single
    spaces) -> canonical name, and canonical name -> the label shown to people (names without one are
    absent).

    Raises :class:`CommandDataError` naming the file and the entry for a file that cannot be read or
    parsed, an unknown field or name, a missing ``sources`` / ``checked``, a spelling not written in its
    normal form, a spelling given twice, or a canonical name with no entry."""
    return cached("commands", 1, [path], lambda: _read_vocabulary(path), use_cache=path == DATA_FILE,
                  accept=lambda data: isinstance(data, tuple) and len(data) == 2)


def _read_vocabulary(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Parse and check ``path`` (the work behind :func:`load_vocabulary`, skipped when the parsed-data
    cache of :mod:`knowledge.datacache` holds the result)."""
    import tomllib  # only when the vocabulary is first needed

    shown = str(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CommandDataError(f"{shown}: cannot be read: {exc}") from None
    entries = raw.get("command")
    if set(raw) != {"command"} or not isinstance(entries, list):
        raise CommandDataError(f"{shown}: expected only [[command]] entries")
    out: dict[str, str] = {}
    labels: dict[str, str] = {}
    for i, entry in enumerate(entries):
        name, spellings, label = _check_entry(i, entry, shown)
        if label is not None:
            labels[name] = label
        for x in spellings:
            if x in out:
                raise CommandDataError(f"{shown}: command {name!r}: spelling {x!r} already names {out[x]!r}")
            out[x] = name
    missing = [c for c in COMMANDS if c not in out.values()]
    if missing:
        raise CommandDataError(f"{shown}: no entry for {', '.join(missing)}")
    return out, labels


@functools.cache
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    return load_vocabulary()


def spellings() -> dict[str, str]:
    """The validated vocabulary of :data:`DATA_FILE`, loaded once (see :func:`load_spellings`)."""
    return _vocabulary()[0]


def command_label(text: str) -> str:
    """How a reply's command is shown to people: ``"RCPT"``, ``"rcpt to"`` -> ``"RCPT TO (recipient)"``,
    ``"CONN"`` -> ``"connection greeting"`` (the ``label`` of its :data:`DATA_FILE` entry); a command
    without a label is its canonical name (``"RSET"``), a text that names none is returned as given."""
    name = normalise_command(text)
    if name is None:
        return text
    return _vocabulary()[1].get(name, name)


def __getattr__(name: str):
    if name == "SPELLINGS":  # the table, loaded on first use
        return spellings()
    raise AttributeError(name)


def normalise_command(text: str | None) -> str | None:
    """The canonical name of the command a reply answered, or None when ``text`` names none.

    ``"rcpt to"``, ``"RCPT_TO"``, ``"RCPT"`` -> ``"RCPT TO"``; ``"end of DATA"``, ``"."`` -> ``"DATA"``;
    ``"BDAT"`` -> ``"BDAT"``; ``"initial connection"``, ``"CONNECT"`` -> ``"CONN"``;
    ``"SMTPRecipientsRefused"`` -> ``"RCPT TO"``; ``"NOOP"``, ``""``, None -> None.
    Input: any str or None (never raises).  ``":"`` and ``"_"`` count as spaces, case is ignored.
    """
    if not text:
        return None
    key = _key(text)
    if not key:
        return None
    table = spellings()
    return table.get(key) or table.get(key.split(" ")[0])
