"""recipient_intro_patterns: a sentence right before the address makes even postmaster@ the recipient."""

import pytest

from knowledge.bounce.formats import data
from knowledge.bounce.text import recipient_blocks
from tests.knowledge.bounce.formats import FIXTURES, context

CASES = {
    # data file -> a notice line and the recipient it names
    "dragonfly": (FIXTURES / "dragonfly" / "dragonfly-dns.eml", "postmaster@cx.example.org"),
    "gmail": (None, "postmaster@example.org"),
    "generic": (None, "postmaster@example.net"),
}
LINES = {
    "gmail": "Delivery to the following recipient failed permanently: postmaster@example.org",
    "generic": "Your message could not be delivered to <postmaster@example.net>",
}


@pytest.mark.parametrize("format_id", sorted(CASES))
def test_the_sentence_names_the_recipient(format_id):
    fixture, recipient = CASES[format_id]
    notice = context(fixture).notice_cut if fixture else LINES[format_id] + "\n\n550 no such user\n"
    assert list(recipient_blocks(notice)) == [recipient]


def test_without_the_sentence_postmaster_is_not_a_recipient():
    assert recipient_blocks("Reply to postmaster@example.net for help\n") == {}


def test_every_file_with_intro_patterns_is_tested_here():
    assert sorted(i for i in data.all_ids() if data.load(i).get("recipient_intro_patterns")) == sorted(CASES)
