"""knowledge.bounce.codes reads codes and the command with knowledge.smtp's definitions."""

from knowledge.bounce.codes import find_codes, find_command, find_remote_host
from knowledge.smtp import hosts


def test_command_names_are_the_shared_vocabulary():
    assert find_command("550 5.1.1 unknown (in reply to RCPT TO command)") == "RCPT TO"
    assert find_command("550 rejected after end of data") == "DATA"
    assert find_command("421 timeout during initial connection") == "CONN"
    assert find_command("[RCPT_TO] 554 delivery error") == "RCPT TO"
    # a reply to a BDAT chunk (RFC 3030) is named BDAT, as knowledge.smtp.commands names it
    assert find_command("552 5.3.4 message too big (in reply to BDAT command)") == "BDAT"


def test_codes_and_remote_host():
    assert find_codes("host mx.example.com[192.0.2.1] said: 550-5.7.1 no") == ("550", "5.7.1")
    assert find_codes("PHP: 5.4.45 failed") == (None, None)
    assert find_remote_host is hosts.find_remote_host
