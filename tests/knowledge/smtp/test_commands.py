"""knowledge.smtp.commands: one vocabulary for the command a reply answered."""

import pytest

from knowledge.smtp.commands import (COMMANDS, DATA_FILE, GREETING_STAGE, MESSAGE_STAGE, SPELLINGS, CommandDataError,
                                     command_label, load_spellings, load_vocabulary, normalise_command)


@pytest.mark.parametrize("spelling,name", [
    ("RCPT TO", "RCPT TO"), ("rcpt to", "RCPT TO"), ("RCPT_TO", "RCPT TO"), ("Rcpt To", "RCPT TO"), ("RCPT", "RCPT TO"),
    ("RCPT TO:<a@example.com>", "RCPT TO"),
    ("MAIL FROM", "MAIL FROM"), ("MAIL_FROM", "MAIL FROM"), ("mail", "MAIL FROM"), ("MAIL FROM:<>", "MAIL FROM"),
    ("DATA", "DATA"), ("end of DATA", "DATA"), ("END-OF-MESSAGE", "DATA"), (".", "DATA"), ("DATA END", "DATA"),
    ("sending data block", "DATA"),
    ("BDAT", "BDAT"), ("bdat", "BDAT"),
    ("HELO", "HELO"), ("ehlo", "EHLO"), ("STARTTLS", "STARTTLS"), ("AUTH", "AUTH"), ("auth plain", "AUTH"),
    ("CONN", "CONN"), ("CONNECT", "CONN"), ("initial connection", "CONN"), ("connection greeting", "CONN"),
    ("QUIT", "QUIT"), ("RSET", "RSET"), ("VRFY", "VRFY"), ("ETRN", "ETRN"),
    ("SMTPRecipientsRefused", "RCPT TO"), ("SMTPSenderRefused", "MAIL FROM"), ("SMTPDataError", "DATA"),
    ("SMTPAuthenticationError", "AUTH"), ("SMTPHeloError", "EHLO"), ("SMTPAddressFailedException", "RCPT TO"),
    ("EENVELOPE", "RCPT TO"), ("EAUTH", "AUTH"), ("EMESSAGE", "DATA"), ("Invalid login", "AUTH"),
    ("Mail command failed", "MAIL FROM"), ("Recipient command failed", "RCPT TO"),
    ("refused to talk to me", "CONN"), ("Can't send mail", "RCPT TO"), ("Password", "AUTH"),
])
def test_spellings(spelling, name):
    assert normalise_command(spelling) == name


@pytest.mark.parametrize("text", [None, "", "   ", ":", "NOOP", "hello world", "BODY"])
def test_no_command(text):
    assert normalise_command(text) is None


def test_every_spelling_maps_to_a_canonical_name():
    assert set(SPELLINGS.values()) <= set(COMMANDS)
    assert all(normalise_command(c) == c for c in COMMANDS)


def test_stages():
    assert GREETING_STAGE == {"CONN", "HELO", "EHLO"}
    assert MESSAGE_STAGE == {"DATA", "BDAT"}


# -- the data file ------------------------------------------------------------------------------

_GOOD = DATA_FILE.read_text(encoding="utf-8")


def test_the_data_file_is_valid_and_sourced():
    table = load_spellings()
    assert table["RCPT"] == "RCPT TO" and table["SMTPRECIPIENTSREFUSED"] == "RCPT TO"
    assert len(table) == 50 and set(table.values()) == set(COMMANDS)


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace('spellings = ["HELO"]', 'spellings = ["HELO", "RCPT"]'),
     "command 'RCPT TO': spelling 'RCPT' already names 'HELO'"),
    (lambda t: t.replace('spellings = ["HELO"]', 'spellings = ["helo"]'),
     "command 'HELO': spelling 'helo' must be written 'HELO'"),
    (lambda t: t.replace('sources = ["RFC 5321 §4.1.1.1"]\n', "", 1),
     "command 'HELO': sources must be a non-empty list of strings"),
    (lambda t: t.replace('name = "HELO"', 'name = "HELLO"'), "command 'HELLO': name must be one of"),
    (lambda t: t.replace('name = "ETRN"', 'name = "ETRN"\nstage = "x"'), "command 'ETRN': unknown field(s) stage"),
    (lambda t: t.replace('checked = "2026-12-08"', 'checked = "soon"', 1), "command 'CONN': checked must be a date"),
    (lambda t: t + "\n[oops\n", "cannot be read"),
    (lambda t: t.replace('label = "HELO greeting"', 'label = ""'), "command 'HELO': label must be a non-empty string"),
])
def test_a_broken_data_file_names_file_and_entry(tmp_path, edit, message):
    bad = tmp_path / "commands.toml"
    bad.write_text(edit(_GOOD), encoding="utf-8")
    with pytest.raises(CommandDataError) as exc:
        load_spellings(bad)
    assert str(exc.value).startswith(str(bad)) and message in str(exc.value)


@pytest.mark.parametrize("text,label", [
    ("CONN", "connection greeting"), ("initial connection", "connection greeting"), ("RCPT", "RCPT TO (recipient)"),
    ("rcpt to", "RCPT TO (recipient)"), ("MAIL", "MAIL FROM (sender)"), ("end of data", "DATA (message content)"),
    ("BDAT", "BDAT (message content)"), ("AUTH", "AUTH (login)"), ("RSET", "RSET"), ("XFOO", "XFOO"),
])
def test_command_label(text, label):
    assert command_label(text) == label


def test_labels_are_read_with_the_spellings():
    spellings, labels = load_vocabulary(DATA_FILE)
    assert spellings == SPELLINGS
    assert labels["RCPT TO"] == "RCPT TO (recipient)" and "RSET" not in labels
