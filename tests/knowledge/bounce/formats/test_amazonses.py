from knowledge.bounce.formats import amazonses
from knowledge.bounce.formats.data import category_table
from tests.knowledge.bounce.formats import FIXTURES, context


def test_bounce_notification_gives_one_row_per_bounced_recipient():
    reading = amazonses.read(context(FIXTURES / "amazonses" / "amazonses-json.eml"))
    assert reading.kind is None
    assert [(r["recipient"], r["reply_code"], r["enhanced_status"], r["reason"], r["hard_bounce"], r["action"],
             r["remote_mta"], r["reply_text"]) for r in reading.rows] == [
        ("nouser@example.com", "550", "5.1.1", "userunknown", True, "failed", "dsn; a1-2.smtp-out.example.net",
         "550 5.1.1 user unknown")]


def test_subtype_table_and_other_notifications():
    assert category_table("amazonses")["OnAccountSuppressionList"] == "userunknown"
    assert amazonses.rows_from_json('{"notificationType": "Complaint", "complaint": {}}') == []
    assert amazonses.rows_from_json("no json here") is None
