from knowledge.bounce import parse_bytes
from knowledge.bounce.formats import mcafee
from tests.knowledge.bounce.formats import FIXTURES, context


def test_unknown_user_behind_the_gateway_is_an_unknown_mailbox():
    path = FIXTURES / "mcafee" / "mcafee.eml"
    assert mcafee.is_mcafee(context(path).notice)
    rep = parse_bytes(path.read_bytes())
    assert [(r["recipient"], r["reply_code"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user@example.com", "550", "userunknown", True)]
