from knowledge.bounce import parse_bytes
from tests.knowledge.bounce.formats import FIXTURES


def test_disabled_account_sentence_is_suspend():
    rep = parse_bytes((FIXTURES / "ezweb" / "ezweb-disabled.eml").read_bytes())
    assert [(r["recipient"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user@ezweb.ne.jp", "suspend", False)]


def test_spasign_ng_is_the_recipients_filter():
    rep = parse_bytes((FIXTURES / "ezweb" / "ezweb-spasign.eml").read_bytes())
    assert [(r["recipient"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user@ezweb.ne.jp", "filtered", False)]
