"""Each format data file's delay-warning Subject / sentences mark a real delay warning of that format."""

import re

import pytest

from knowledge.bounce.formats import data
from knowledge.bounce.text import is_delay_notice
from tests.knowledge.bounce.formats import FIXTURES, context, shared

# data file -> (fixture, what its Subject pattern matches, what its sentence pattern matches)
CASES = {
    "exim": (FIXTURES / "exim" / "exim-delay.eml", "Warning: message 1abcDE-000123-XY delayed",
             "has not yet been delivered to one or more"),
    "postfix": (FIXTURES / "postfix" / "postfix-delay-text.eml", "Delayed Mail", "THIS IS A WARNING ONLY"),
    "sendmail": (FIXTURES / "sendmail" / "sendmail-delay.eml", "Warning: could not send message for past",
                 "THIS IS A WARNING MESSAGE ONLY"),
    "gmail": (FIXTURES / "gmail" / "gmail-delay.eml", None, "There was a temporary problem delivering"),
    "exchange": (FIXTURES / "exchange" / "office365-delay.eml", "Delivery delayed",
                 "Delivery is delayed to these recipients"),
    "opensmtpd": ("lhost-opensmtpd-04.eml", None, "only a temporary failure report"),
    "messagingserver": ("lhost-messagingserver-07.eml", "Delivery Notification: Delivery has been delayed", None),
    "generic": ("rfc3464-07.eml", "(Mail Delivery Delayed)", None),
}


def _own(format_id: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    entry = data.load(format_id)
    starts = [re.escape(p) for p in entry.get("delay_subjects", ())] + list(entry.get("delay_subject_patterns", ()))
    alts = ([r"^\s*(?:" + "|".join(starts) + ")"] if starts else []) + [
        re.escape(p) for p in entry.get("delay_subject_phrases", ())]
    body = [re.escape(p) for p in entry.get("delay_phrases", ())] + list(entry.get("delay_patterns", ()))
    return (re.compile("|".join(alts), re.I) if alts else None), (re.compile("|".join(body), re.I) if body else None)


def _found(pattern: re.Pattern[str] | None, text: str) -> str | None:
    m = pattern.search(text) if pattern is not None else None
    return m.group(0) if m else None


@pytest.mark.parametrize("format_id", sorted(CASES))
def test_the_formats_delay_wording_marks_its_warning(format_id):
    where, subject, sentence = CASES[format_id]
    ctx = context(shared(where) if isinstance(where, str) else where)
    subject_re, body_re = _own(format_id)
    assert _found(subject_re, ctx.subject) == subject
    assert _found(body_re, ctx.notice_cut[:20000]) == sentence
    assert is_delay_notice(ctx.notice_cut, ctx.subject)


def test_every_file_with_delay_wording_is_tested_here():
    keys = ("delay_subjects", "delay_subject_patterns", "delay_subject_phrases", "delay_phrases", "delay_patterns")
    with_delay = [i for i in data.all_ids() if any(data.load(i).get(k) for k in keys)]
    assert sorted(with_delay) == sorted(CASES)


def test_a_final_bounce_is_not_a_delay_warning():
    ctx = context(FIXTURES / "exim" / "exim.eml")
    assert not is_delay_notice(ctx.notice_cut, ctx.subject)
