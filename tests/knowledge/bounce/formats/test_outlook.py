from knowledge.bounce import parse_bytes
from tests.knowledge.bounce.formats import FIXTURES


def test_mailbox_unavailable_is_an_unknown_mailbox():
    rep = parse_bytes((FIXTURES / "outlook" / "hotmail-dsn.eml").read_bytes())
    assert [(r["recipient"], r["reply_code"], r["enhanced_status"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user@hotmail.example.com", "550", "5.5.0", "userunknown", True)]
