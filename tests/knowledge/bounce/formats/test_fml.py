from knowledge.bounce.formats import fml
from knowledge.bounce.formats.data import reason_table
from tests.knowledge.bounce.formats import FIXTURES, context, shared


def test_not_a_member_notice_is_rejected():
    (row,) = fml.read(context(shared("lhost-fml-02.eml"))).rows
    assert (row["recipient"], row["reason"], row["hard_bounce"], row["action"]) == (
        "neko-nyaan@example.org", "rejected", False, "failed")


def test_loop_alert_is_a_system_error():
    (row,) = fml.read(context(shared("lhost-fml-03.eml"))).rows
    assert (row["recipient"], row["reason"]) == ("neko@example.co.jp", "systemerror")


def test_sentences_keep_their_order_and_other_mail_is_not_fml():
    assert [reason for _, reason in reason_table("fml")] == ["rejected", "rejected", "systemerror", "mesgtoobig"]
    assert fml.read(context(FIXTURES / "exim" / "exim.eml")) is None
