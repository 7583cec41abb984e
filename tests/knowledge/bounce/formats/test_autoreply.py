from knowledge.bounce.formats import autoreply
from tests.knowledge.bounce.formats import FIXTURES, context


def test_out_of_office_reply_is_one_vacation_row():
    reading = autoreply.read(context(FIXTURES / "autoreply" / "autoreply.eml"))
    assert (reading.kind, reading.note) == ("auto-reply", autoreply.NOTE)
    assert [(r["recipient"], r["reason"], r["hard_bounce"]) for r in reading.rows] == [
        ("person@example.com", "vacation", False)]


def test_a_bounce_is_not_an_auto_reply():
    assert autoreply.read(context(FIXTURES / "exim" / "exim.eml")) is None
