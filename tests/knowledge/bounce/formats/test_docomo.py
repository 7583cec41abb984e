from knowledge.bounce import parse_bytes
from knowledge.bounce.formats import docomo
from tests.knowledge.bounce.formats import FIXTURES


def test_the_stage_decides_docomos_unknown_user():
    rep = parse_bytes((FIXTURES / "docomo" / "docomo.eml").read_bytes())
    assert [(r["recipient"], r["command"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user1@docomo.ne.jp", "DATA", "rejected", False),
        ("user2@docomo.ne.jp", "RCPT TO", "userunknown", True),
    ]


def test_docomos_own_reply_texts():
    base = {"recipient": "u@docomo.ne.jp", "action": "failed", "enhanced_status": "5.0.0", "command": None}
    assert docomo.row_reason({**base, "reply_text": "552 too much mail data"}) == "mailboxfull"
    assert docomo.row_reason({**base, "reply_text": "552 Too many recipients"}) == "toomanyconn"
    assert docomo.row_reason({**base, "recipient": "u@example.com", "reply_text": "552 too much mail data"}) is None
