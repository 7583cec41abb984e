from knowledge.bounce.formats import qmail
from tests.knowledge.bounce.formats import FIXTURES, context


def test_does_not_like_recipient_is_rcpt_to():
    assert qmail.find_command(context(FIXTURES / "qmail" / "qmail.eml").notice_cut) == "RCPT TO"


def test_other_stages():
    assert qmail.find_command("Connected to 192.0.2.1 but greeting failed.") == "CONN"
    assert qmail.find_command("Connected to 192.0.2.1 but my name was rejected.") == "HELO"
    assert qmail.find_command("Connected to 192.0.2.1 but sender was rejected.") is None
