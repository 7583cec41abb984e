from knowledge.bounce import parse_bytes
from knowledge.bounce.formats import powermta
from tests.knowledge.bounce.formats import FIXTURES


def test_bounce_category_field_states_the_reason():
    rep = parse_bytes((FIXTURES / "powermta" / "powermta-category.eml").read_bytes())
    assert [(r["recipient"], r["enhanced_status"], r["reason"], r["hard_bounce"]) for r in rep.rows] == [
        ("user@example.com", "5.2.1", "userunknown", True),
        ("full@example.org", "5.2.2", "mailboxfull", False),
    ]


def test_category_table():
    assert powermta.FIELD == "x-powermta-bouncecategory"
    assert powermta.field_reason(" Bad-Mailbox ") == "userunknown"
    assert powermta.field_reason("quota-issues") == "mailboxfull"
    assert powermta.field_reason("other") is None
