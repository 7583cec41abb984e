"""Each format data file's notice phrases mark a real fixture of that format (is_known_format's input)."""

import re

import pytest

from knowledge.bounce.formats import data
from knowledge.bounce.text import is_known_format
from tests.knowledge.bounce.formats import FIXTURES, context

# data file -> (fixture, the phrase of that file that the notice holds, as written there)
CASES = {
    "exim": ("exim/exim.eml", "mail delivery software"),
    "postfix": ("postfix/postfix-dsn.eml", "This is the mail system at host"),
    "sendmail": ("sendmail/sendmail-dsn.eml", "The following addresses had permanent fatal errors"),
    "qmail": ("qmail/qmail.eml", "I'm afraid I wasn't able to deliver"),
    "gmail": ("gmail/gmail.eml", "Delivery to the following recipient"),
    "exchange": ("exchange/office365-delay.eml", "Delivery is delayed"),
    "notes": ("notes/notes.eml", "Failure Reasons"),
    "dragonfly": ("dragonfly/dragonfly.eml", "There was an error delivering your mail"),
    "yahoo": ("yahoo/yahoo.eml", "unable to deliver your message"),
    "googlegroups": ("googlegroups/googlegroups.eml", "group you tried to contact"),
    "mcafee": ("mcafee/mcafee.eml", "following addresses had"),
    "generic": ("generic/iso2022jp-base64.eml", "配信"),
}


def _own_pattern(format_id: str) -> re.Pattern[str]:
    entry = data.load(format_id)
    alts = [re.escape(p) for p in entry.get("notice_phrases", ())] + list(entry.get("notice_patterns", ()))
    return re.compile("|".join(alts), re.I)


@pytest.mark.parametrize("format_id", sorted(CASES))
def test_the_formats_own_phrase_marks_its_fixture(format_id):
    fixture, phrase = CASES[format_id]
    ctx = context(FIXTURES / fixture)
    m = _own_pattern(format_id).search(ctx.notice_cut[:20000]) or _own_pattern(format_id).search(ctx.subject)
    assert m is not None and m.group(0) == phrase
    assert is_known_format(ctx.notice_cut, ctx.subject, ctx.sender)


def test_every_file_with_notice_phrases_is_tested_here():
    with_phrases = [i for i in data.all_ids() if data.load(i).get("notice_phrases") or data.load(i).get("notice_patterns")]
    assert sorted(with_phrases) == sorted(CASES)
