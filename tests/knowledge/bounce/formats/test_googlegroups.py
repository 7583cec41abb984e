from knowledge.bounce.formats import googlegroups
from tests.knowledge.bounce.formats import FIXTURES, context


def test_refused_post_is_rejected_for_the_group_address():
    (row,) = googlegroups.read(context(FIXTURES / "googlegroups" / "googlegroups.eml")).rows
    assert (row["recipient"], row["reason"], row["hard_bounce"], row["action"], row["reply_code"]) == (
        "some-list@googlegroups.com", "rejected", False, "failed", None)
    assert row["reply_text"].startswith("Hello sender@example.net, We're writing to let you know that the group")


def test_other_notices_are_not_google_groups():
    assert googlegroups.read(context(FIXTURES / "gmail" / "gmail.eml")) is None
