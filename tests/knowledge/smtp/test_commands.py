"""knowledge.smtp.commands: one vocabulary for the command a reply answered."""

import pytest

from knowledge.smtp.commands import COMMANDS, GREETING_STAGE, MESSAGE_STAGE, SPELLINGS, normalise_command


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
