"""Bounces shared as files, end to end over real HTTP: signed events in, file downloads and
Web API calls out (fake Slack serves the files and records each request's headers).

Expected annotations are computed with the engine itself (``annotate_text`` / ``annotate_bytes``
rendered by :class:`bot.slack.blocks.Renderer`), so these tests check the Slack behaviour:
which files are fetched, with which token, from where, and what is posted in which thread.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from slack_sdk.web import WebClient

from bot.slack import files as slack_files
from bot.slack.blocks import Renderer
from bot.storage.base import ChannelSettings
from knowledge.annotate import annotate_bytes, annotate_text
from tests.bot.slack.checks import all_text, assert_valid_message, blocks_of
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.bot.slack.harness import new_ts, uid

TOKEN = "xoxb-test-0000-token"  # the harness's bot token
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bounces"
NEGATIVE_WAIT_S = 0.5

POSTFIX_SNIPPET = (
    "This is the mail system at host mx1.example.net.\n\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n\n"
    "<jane.roe@example.com>: host mx.example.com[192.0.2.10] said: 550 5.1.1\n"
    "    <jane.roe@example.com>: Recipient address rejected: User unknown in local\n"
    "    recipient table (in reply to RCPT TO command)\n\n"
    "<max.full@example.org>: host mx.example.org[192.0.2.20] said: 452 4.2.2 Mailbox\n"
    "    full (in reply to RCPT TO command)\n"
)
SALES_CSV = "region,units,revenue\nnorth,550,421.50\nsouth,452,5.11\neast,250,4.22\n"
BOUNCE_LINE = ("<john.doe@example.com>: host mx.example.net[192.0.2.10] said: 550 5.1.1 "
               "<john.doe@example.com>: Recipient address rejected: User unknown in virtual mailbox table "
               "(in reply to RCPT TO command)")
BOUNCE_SLACK = BOUNCE_LINE.replace("<", "&lt;").replace(">", "&gt;")


def _settle() -> None:
    time.sleep(NEGATIVE_WAIT_S)


def _fid() -> str:
    return uid("F")


def _file_event(slack, files: list[dict], *, channel: str, text: str = "", **kw) -> dict:
    return slack.message(text, channel=channel, subtype="file_share", files=files, **kw)


def _downloads(slack, file_id: str) -> list:
    return [c for c in slack.fake.find("file_download") if f"-{file_id}/" in c.path]


def _expected(annotation, *, mask: bool = True) -> list[dict]:
    return [b.to_dict() for b in Renderer(mask=mask).annotation(annotation)[0].blocks]


def _codes(params: dict) -> list[str]:
    """The ``reply enhanced`` code pairs shown in a posted annotation, in order."""
    import re

    return re.findall(r"`(\d{3} \d\.\d{1,3}\.\d{1,3})`", all_text(params))


# -- snippets and .eml files in channels ---------------------------------------------------

def test_snippet_with_a_postfix_bounce_is_annotated_in_the_thread_with_the_bot_token(slack):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled", mimetype="text/plain",
                              filetype="text")
    ev = _file_event(slack, [obj], channel=channel)
    assert slack.event(ev)[0] == 200
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert_valid_message(call.params)
    expected = annotate_text(POSTFIX_SNIPPET)
    assert [(f.reply_code, f.enhanced_status) for f in expected.findings] == [("550", "5.1.1"), ("452", "4.2.2")]
    assert blocks_of(call.params) == _expected(expected)
    assert _codes(call.params) == ["550 5.1.1", "452 4.2.2"]
    text = all_text(call.params)
    assert "jane.roe@example.com" not in text and "j***@example.com" in text
    [download] = _downloads(slack, fid)
    assert download.headers["Authorization"] == f"Bearer {TOKEN}"
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_eml_dsn_file_is_parsed_as_a_whole_message_with_recipients_masked(slack):
    channel = uid("C")
    data = (FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes()
    fid = _fid()
    obj = slack.fake.add_file(fid, data, name="bounce.eml", mimetype="message/rfc822", filetype="email")
    ev = _file_event(slack, [obj], channel=channel, text="this came back overnight")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    expected = annotate_bytes(data)
    assert expected.kind == "bounce"  # the DSN parser read it, not the free-text scanner
    assert [(f.recipient, f.reply_code, f.enhanced_status) for f in expected.findings] == [
        ("nobody@example.com", "550", "5.1.1"), ("full@example.org", "452", "4.2.2")]
    assert blocks_of(call.params) == _expected(expected)
    text = all_text(call.params)
    assert "nobody@example.com" not in text and "n***@example.com" in text
    assert "full@example.org" not in text and "f***@example.org" in text
    assert_valid_message(call.params)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_eml_in_a_channel_with_masking_off_shows_the_recipient(slack):
    channel = uid("C")
    slack.deps.store.set_channel_settings(TEAM_ID, channel, ChannelSettings(mask_addresses=False))
    data = (FIXTURES / "sendmail" / "sendmail-dsn.eml").read_bytes()
    obj = slack.fake.add_file(_fid(), data, name="returned.eml", mimetype="message/rfc822", filetype="email")
    slack.event(_file_event(slack, [obj], channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert blocks_of(call.params) == _expected(annotate_bytes(data), mask=False)
    assert "gone@example.com" in all_text(call.params)


LATIN1_NOTICE = (
    "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.net\nSubject: Unzustellbar\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    "Die Nachricht konnte nicht zugestellt werden.\n\n"
    "<m\u00fcller@example.com>: host mx.example.com[192.0.2.10] said: 550 5.1.1\n"
    "    Empf\u00e4nger unbekannt: user unknown (in reply to RCPT TO command)\n"
).encode("latin-1")


def test_eml_with_an_8bit_legacy_charset_reaches_the_parser_as_bytes(slack):
    # the file's bytes go to the bounce parser, which honours charset=iso-8859-1; a UTF-8 guess
    # would have turned the umlauts into replacement characters
    channel = uid("C")
    obj = slack.fake.add_file(_fid(), LATIN1_NOTICE, name="bounce.eml", mimetype="message/rfc822", filetype="email")
    slack.event(_file_event(slack, [obj], channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    expected = annotate_bytes(LATIN1_NOTICE)
    assert [(f.recipient, f.reply_code, f.enhanced_status, f.reason) for f in expected.findings] == [
        ("m\u00fcller@example.com", "550", "5.1.1", "userunknown")]
    assert "Empf\u00e4nger unbekannt" in expected.findings[0].reply_text
    assert blocks_of(call.params) == _expected(expected)
    text = all_text(call.params)
    assert "\ufffd" not in text and "m\u00fcller@" not in text and "m***@example.com" in text


def test_auto_reply_eml_is_not_posted_unasked_but_is_answered_when_asked(slack):
    data = (FIXTURES / "autoreply" / "autoreply.eml").read_bytes()
    quiet = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, data, name="ooo.eml", mimetype="message/rfc822", filetype="email")
    slack.event(_file_event(slack, [obj], channel=quiet))
    deadline = time.monotonic() + 5
    while not _downloads(slack, fid) and time.monotonic() < deadline:
        time.sleep(0.02)
    _settle()
    assert slack.fake.for_channel(quiet) == []  # an out-of-office reply is no failure: nobody asked
    asked = uid("C")
    obj2 = slack.fake.add_file(_fid(), data, name="ooo.eml", mimetype="message/rfc822", filetype="email")
    ev = slack.mention("is this a bounce?", channel=asked)
    ev["files"] = [obj2]
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=asked)
    assert call.params["thread_ts"] == ev["ts"]
    assert blocks_of(call.params) == _expected(annotate_bytes(data))


def test_non_bounce_text_file_is_read_but_stays_quiet(slack):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, SALES_CSV.encode(), name="sales-q3.csv", mimetype="text/csv", filetype="csv")
    slack.event(_file_event(slack, [obj], channel=channel, text="Q3 numbers"))
    deadline = time.monotonic() + 5
    while not _downloads(slack, fid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_downloads(slack, fid)) == 1
    _settle()
    assert slack.fake.for_channel(channel) == []


def test_file_content_is_read_literally_not_as_slack_markup(slack):
    # Slack stores a file as uploaded: only message text carries Slack's escapes, so "&lt;" in a
    # log file is what the server wrote (undoing it would be the double unescape of issue 9)
    channel = uid("D")
    log = ("host mx.example.net[192.0.2.1] said: 550 5.1.1 &lt;u@example.com&gt;: Recipient address "
           "rejected (in reply to RCPT TO command)\n")
    fid = _fid()
    obj = slack.fake.add_file(fid, log.encode(), name="mail.log", mimetype="text/plain", filetype="text")
    slack.event(_file_event(slack, [obj], channel=channel, channel_type="im", text="what is this?"))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    expected = annotate_text(log)
    assert "&lt;u@example.com&gt;" in expected.findings[0].reply_text
    assert blocks_of(call.params) == _expected(expected, mask=False)
    assert "&amp;lt;u@example.com&amp;gt;" in all_text(call.params)


def test_auto_annotation_off_downloads_nothing(slack):
    channel = uid("C")
    slack.deps.store.set_channel_settings(TEAM_ID, channel, ChannelSettings(auto_annotate=False))
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    slack.event(_file_event(slack, [obj], channel=channel))
    _settle()
    assert slack.fake.for_channel(channel) == []
    assert _downloads(slack, fid) == []


def test_image_file_is_never_downloaded_and_the_text_is_still_annotated(slack):
    channel = uid("C")
    fid = _fid()
    # the content would be annotated if it were fetched: the type alone must keep it out
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="screenshot.png", mimetype="image/png",
                              filetype="png")
    ev = _file_event(slack, [obj], channel=channel, text=BOUNCE_SLACK)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert blocks_of(call.params) == _expected(annotate_text(BOUNCE_LINE))
    _settle()
    assert _downloads(slack, fid) == []
    assert [c for c in slack.fake.find("files.info") if c.params.get("file") == fid] == []


# -- where the token may go ----------------------------------------------------------------

@pytest.fixture()
def elsewhere():
    """Another HTTP server on loopback (another port = another origin) that records requests."""
    other = FakeSlack().start()
    try:
        yield other
    finally:
        other.stop()


def test_file_on_another_host_is_never_fetched_and_the_token_stays(slack, elsewhere):
    channel = uid("D")
    fid = _fid()
    elsewhere.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    foreign = f"{elsewhere.url}/files-pri/{TEAM_ID}-{fid}/download/Untitled"
    tricky = foreign.replace("http://", f"http://127.0.0.1:{slack.fake.port}@")  # user info, then the other host
    objs = [slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled", url=foreign),
            slack.fake.add_file(_fid(), POSTFIX_SNIPPET.encode(), name="Untitled", url=tricky)]
    ev = _file_event(slack, objs, channel=channel, channel_type="im", text=BOUNCE_SLACK)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    blocks = blocks_of(call.params)
    assert blocks[:-1] == _expected(annotate_text(BOUNCE_LINE), mask=False)  # DMs are not masked
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "I could not read `Untitled`: its link is not on Slack's file host.\n"
        "I could not read `Untitled`: its link is not on Slack's file host.")}]}
    _settle()
    assert elsewhere.calls == []
    assert [_downloads(slack, o["id"]) for o in objs] == [[], []]


def test_redirect_to_another_host_is_not_followed(slack, elsewhere):
    channel = uid("D")
    fid = _fid()
    elsewhere.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    slack.fake.script("file_download", status=302, body={"ok": False, "error": "moved"},
                      headers={"Location": f"{elsewhere.url}/files-pri/{TEAM_ID}-{fid}/download/Untitled"},
                      when=lambda p: True)
    ev = _file_event(slack, [obj], channel=channel, channel_type="im", text="why did this bounce?")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    # the redirected file was not read, and the user is told (a DM: a normal reply)
    assert blocks_of(call.params)[0]["text"]["text"] == (
        "I could not read `Untitled`: its link is not on Slack's file host.")
    assert call.params["text"] == "I could not read Untitled: its link is not on Slack's file host."
    [download] = _downloads(slack, fid)
    assert download.headers["Authorization"] == f"Bearer {TOKEN}"
    _settle()
    assert elsewhere.calls == []


@pytest.mark.parametrize("url, allowed", [
    ("https://files.slack.com/files-pri/T1-F1/download/a.txt", True),
    ("https://files.slack.com:443/files-pri/T1-F1/a.txt", True),
    ("http://files.slack.com/files-pri/T1-F1/a.txt", False),
    ("https://files.slack.com:8443/files-pri/T1-F1/a.txt", False),
    ("https://files.slack.com.example.net/files-pri/T1-F1/a.txt", False),
    ("https://files.slack.com@example.net/a.txt", False),
    ("https://example.net/files-pri/T1-F1/a.txt", False),
    ("https://slack.com/files-pri/T1-F1/a.txt", False),
    ("ftp://files.slack.com/a.txt", False),
    ("", False),
])
def test_only_slacks_file_host_may_receive_the_token(url, allowed):
    assert slack_files.allowed_url(url, WebClient(token="xoxb-x")) is allowed


def test_a_test_or_proxy_base_url_allows_exactly_its_own_origin():
    client = WebClient(token="xoxb-x", base_url="http://127.0.0.1:8080/api/")
    assert slack_files.allowed_url("http://127.0.0.1:8080/files-pri/T1-F1/a.txt", client) is True
    assert slack_files.allowed_url("http://127.0.0.1:8081/files-pri/T1-F1/a.txt", client) is False
    assert slack_files.allowed_url("https://127.0.0.1:8080/files-pri/T1-F1/a.txt", client) is False
    assert slack_files.allowed_url("https://files.slack.com/files-pri/T1-F1/a.txt", client) is True


# -- size, failures ------------------------------------------------------------------------

def test_five_megabyte_file_is_capped_at_one_mebibyte(slack):
    channel = uid("C")
    head = ("<first.user@example.com>: host mx.example.com[192.0.2.10] said: 550 5.1.1 User unknown "
            "(in reply to RCPT TO command)\n")
    filler = "Mar  2 10:00:00 mx1 postfix/qmgr[100]: 4B1C2D3E4F: removed\n"
    tail = ("<late.user@example.org>: host mx.example.org[192.0.2.20] said: 452 4.2.2 Mailbox full "
            "(in reply to RCPT TO command)\n")
    body = head + filler * ((4 * 1024 * 1024) // len(filler)) + tail + filler * 15000
    data = body.encode()
    assert len(data) > 5_000_000
    fid = _fid()
    obj = slack.fake.add_file(fid, data, name="maillog.txt", mimetype="text/plain", filetype="text")
    ev = _file_event(slack, [obj], channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel, timeout=30)
    assert call.params["thread_ts"] == ev["ts"]
    assert _codes(call.params) == ["550 5.1.1"]  # the failure 4 MB in was never read
    assert "l***@example.org" not in all_text(call.params)
    # what is annotated: whole lines of the first 1 MiB, within the 960,000 characters files may
    # take of the 1,000,000 characters annotated per message (the typed text may take 40,000)
    read = data[:slack_files.MAX_BYTES].decode()
    read = read[: read.rfind("\n", 0, 960_001)]
    annotation = annotate_text(read)
    assert annotation.notes == []  # the annotator did not cut again: one truncation note only
    blocks = blocks_of(call.params)
    assert blocks[:-1] == _expected(annotation)
    assert blocks[-1]["elements"] == [{"type": "mrkdwn", "text": (
        "Only the beginning of `maillog.txt` was read (at most 1,024 KiB of each file and 1,000,000 "
        "characters of text per message); the rest was not annotated.")}]
    assert "characters of the text were read" not in all_text(call.params)
    assert_valid_message(call.params)


@pytest.mark.parametrize("status", [404, 500])
def test_failed_download_still_answers_the_message_text(slack, status):
    channel = uid("D")
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    slack.fake.script("file_download", status=status, body={"ok": False, "error": "scripted"},
                      when=lambda p: True)
    ev = _file_event(slack, [obj], channel=channel, channel_type="im", text=BOUNCE_SLACK)
    assert slack.event(ev)[0] == 200
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    blocks = blocks_of(call.params)
    assert blocks[:-1] == _expected(annotate_text(BOUNCE_LINE), mask=False)
    assert blocks[-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "I could not read `Untitled`: the download failed."}]}
    [download] = _downloads(slack, fid)
    assert download.response == {"ok": False, "error": "scripted"}
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_partial_file_object_is_completed_with_files_info(slack):
    channel = uid("C")
    fid = _fid()
    slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    partial = {"id": fid, "mode": "file_access", "file_access": "check_file_info", "created": 0,
               "timestamp": 0, "user": ""}
    ev = _file_event(slack, [partial], channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert _codes(call.params) == ["550 5.1.1", "452 4.2.2"]
    [info] = [c for c in slack.fake.find("files.info") if c.params.get("file") == fid]
    assert info.headers["Authorization"] == f"Bearer {TOKEN}"
    [download] = _downloads(slack, fid)
    assert download.headers["Authorization"] == f"Bearer {TOKEN}"


def test_at_most_three_files_are_read(slack):
    channel = uid("D")
    ids = [_fid() for _ in range(5)]
    objs = [slack.fake.add_file(i, POSTFIX_SNIPPET.encode(), name=f"part{n}.txt") for n, i in enumerate(ids)]
    ev = _file_event(slack, objs, channel=channel, channel_type="im")
    slack.event(ev)
    slack.fake.wait("chat.postMessage", channel=channel)
    _settle()
    assert [len(_downloads(slack, i)) for i in ids] == [1, 1, 1, 0, 0]


# -- mention, shortcut ---------------------------------------------------------------------

def test_mention_with_a_snippet_answers_in_the_thread(slack):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    ev = slack.mention("what happened here?", channel=channel)
    ev["files"] = [obj]
    slack.event(ev)
    # the same message also arrives as a file_share message: answered once, by the mention
    slack.event(_file_event(slack, [obj], channel=channel, text=ev["text"], ts=ev["ts"]))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert _codes(call.params) == ["550 5.1.1", "452 4.2.2"]
    assert "j***@example.com" in all_text(call.params)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1
    assert slack.fake.find("chat.postEphemeral", channel=channel) == []
    assert len(_downloads(slack, fid)) == 1


def test_message_shortcut_on_a_message_with_an_eml_file(slack):
    channel = uid("C")
    data = (FIXTURES / "gmail" / "gmail.eml").read_bytes()
    obj = slack.fake.add_file(_fid(), data, name="gmail-bounce.eml", mimetype="message/rfc822", filetype="email")
    msg = {"type": "message", "user": "U0USER02", "ts": new_ts(), "thread_ts": new_ts(), "text": "",
           "files": [obj]}
    status, body = slack.message_shortcut(msg, channel=channel)
    assert status == 200 and body == ""
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == msg["thread_ts"]
    expected = annotate_bytes(data)
    assert [(f.recipient, f.reply_code, f.enhanced_status) for f in expected.findings] == [
        ("bounced@example.com", "552", "5.2.2")]
    assert blocks_of(call.params) == _expected(expected)
    assert "bounced@example.com" not in all_text(call.params) and "b***@example.com" in all_text(call.params)
    assert [c for c in slack.fake.find("response_url") if c.path == f"/response/sc-{channel}"] == []


def test_file_share_by_the_bot_itself_is_ignored(slack):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="Untitled")
    slack.event(_file_event(slack, [obj], channel=channel, user=BOT_USER_ID, bot_id="BBOT0001"))
    _settle()
    assert slack.fake.for_channel(channel) == []
    assert _downloads(slack, fid) == []


def test_files_never_reach_the_log(slack, caplog):
    channel = uid("D")
    fid = _fid()
    obj = slack.fake.add_file(fid, b"secret-body " + POSTFIX_SNIPPET.encode(), name="Untitled")
    slack.fake.script("file_download", status=500, body={"ok": False, "error": "scripted"}, when=lambda p: True)
    with caplog.at_level("DEBUG", logger="bot.slack.files"):
        slack.event(_file_event(slack, [obj], channel=channel, channel_type="im", text="421 4.7.0"))
        slack.fake.wait("chat.postMessage", channel=channel)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "bot.slack.files")
    assert logged == f"file {fid} skipped: http_500"
    assert TOKEN not in logged and json.dumps(POSTFIX_SNIPPET)[:20] not in logged


# -- bounces with no SMTP code, shared as whole-message files (QA report 2, finding 8) -------

EXIM_NO_CODE = (
    "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: sender@example.net\n"
    "Subject: Mail delivery failed: returning message to sender\nDate: Sat, 3 Jan 2026 10:00:00 +0000\n\n"
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n\n"
    "  erin@example.net\n    Unrouteable address\n").encode()
GMAIL_NO_CODE = (
    "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sender@example.net\n"
    "Subject: Delivery Status Notification (Failure)\nDate: Sat, 3 Jan 2026 10:00:00 +0000\n\n"
    "Delivery to the following recipient failed permanently:\n\n     nobody@example.org\n\n"
    "Technical details of permanent failure:\nDNS Error: Domain name not found\n").encode()


@pytest.mark.parametrize("data, recipient, masked", [
    (EXIM_NO_CODE, "erin@example.net", "e***@example.net"),
    (GMAIL_NO_CODE, "nobody@example.org", "n***@example.org"),
])
def test_uncoded_bounce_eml_shared_in_a_channel_is_annotated_unasked(slack, data, recipient, masked):
    channel = uid("C")
    obj = slack.fake.add_file(_fid(), data, name="failed.eml", mimetype="message/rfc822", filetype="email")
    ev = _file_event(slack, [obj], channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    expected = annotate_bytes(data)
    assert [(f.recipient, f.reply_code, f.reason, f.hard_bounce) for f in expected.findings] == [
        (recipient, None, "hostunknown", True)]
    assert blocks_of(call.params) == _expected(expected)
    assert masked in all_text(call.params) and recipient not in all_text(call.params)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


# -- delivered / relayed recipients are not failures (finding 6) -------------------------------

DSN_MIXED = b"""From: MAILER-DAEMON@mx.example.net
To: sender@example.net
Subject: Delivery status notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

Delivery report.

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ok@example.net
Action: delivered
Status: 2.0.0
Diagnostic-Code: smtp; 250 2.0.0 OK

Final-Recipient: rfc822; gone@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: Recipient address
 rejected: User unknown

Final-Recipient: rfc822; fwd@example.net
Action: relayed
Status: 2.0.0

Final-Recipient: rfc822; full@example.net
Action: failed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--BB--
"""


def test_dsn_with_delivered_and_relayed_recipients_counts_only_the_failures(slack):
    channel = uid("C")
    obj = slack.fake.add_file(_fid(), DSN_MIXED, name="dsn.eml", mimetype="message/rfc822", filetype="email")
    slack.event(_file_event(slack, [obj], channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    blocks = blocks_of(call.params)
    assert blocks[0]["text"]["text"] == "Bounce: 2 failures"
    assert _codes(call.params) == ["550 5.1.1", "452 4.2.2"]
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "*Not failures:* 1 recipient delivered: `o***@example.net`; "
        "1 recipient relayed (no further report will come): `f***@example.net`")}]}
    text = all_text(call.params)
    assert "250 2.0.0" not in text and text.count("soft bounce") == 1  # the 452 only
    assert call.params["text"] == (
        "Bounce: 2 failures of 2 kinds: 550 5.1.1 user unknown; 452 4.2.2 mailbox full. "
        "1 recipient delivered: o***@example.net; 1 recipient relayed (no further report will come): "
        "f***@example.net.")
    assert_valid_message(call.params)


def test_mbox_with_an_auto_reply_lists_it_as_not_a_failure(slack):
    channel = uid("C")
    data = (FIXTURES / "mbox" / "three-messages.mbox").read_bytes()
    obj = slack.fake.add_file(_fid(), data, name="day.mbox", mimetype="application/mbox", filetype="text")
    slack.event(_file_event(slack, [obj], channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    blocks = blocks_of(call.params)
    assert blocks[0]["text"]["text"] == "Bounce: 3 failures"
    assert "auto-reply" not in call.params["text"].split(".")[0]  # not among the failures
    assert {"type": "mrkdwn", "text": "*Not failures:* auto-reply (out of office) from `p***@example.com`: "
            "not a failure"} in [e for b in blocks if b["type"] == "context" for e in b["elements"]]


# -- files that could not be read are named when someone asked (finding 9) -------------------

def _notice(slack, channel: str) -> tuple[str, str]:
    """(first section text, fallback text) of the one ephemeral notice in ``channel``."""
    [call] = slack.fake.wait("chat.postEphemeral", channel=channel)
    blocks = blocks_of(call.params)
    assert blocks[1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "Paste the bounce or log as text, or share it as a `.eml`, `.txt` or `.log` file.")}]}
    return blocks[0]["text"]["text"], call.params["text"]


@pytest.mark.parametrize("status", [403, 500])
def test_mention_with_a_file_that_fails_to_download_says_so_to_the_asker(slack, status):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="bounce.eml", mimetype="message/rfc822",
                              filetype="email")
    slack.fake.script("file_download", status=status, when=lambda p: True)
    ev = slack.mention("check this", channel=channel)
    ev["files"] = [obj]
    slack.event(ev)
    section, text = _notice(slack, channel)
    assert section == "I could not read `bounce.eml`: the download failed."
    assert text == "I could not read bounce.eml: the download failed."
    _settle()
    assert slack.fake.find("chat.postMessage", channel=channel) == []


@pytest.mark.parametrize("content, name, mimetype, filetype, said", [
    (bytes(range(256)) * 64, "x.log", "application/octet-stream", "binary",
     "I could not read `x.log`: not a text file."),
    (b"%PDF-1.4 550 5.1.1", "bounce.pdf", "application/pdf", "pdf",
     "I could not read `bounce.pdf`: not a text file."),
    (b"", "empty.txt", "text/plain", "text", "I could not read `empty.txt`: it is empty."),
])
def test_mention_with_an_unreadable_file_names_it_and_the_reason(slack, content, name, mimetype, filetype, said):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, content, name=name, mimetype=mimetype, filetype=filetype)
    ev = slack.mention("", channel=channel)
    ev["files"] = [obj]
    slack.event(ev)
    section, _ = _notice(slack, channel)
    assert section == said
    assert len(_downloads(slack, fid)) == (0 if mimetype == "application/pdf" else 1)


def test_pdf_and_png_are_both_named_and_never_downloaded(slack):
    channel = uid("C")
    pdf = slack.fake.add_file(_fid(), b"%PDF", name="report.pdf", mimetype="application/pdf", filetype="pdf")
    png = slack.fake.add_file(_fid(), b"\x89PNG", name="shot.png", mimetype="image/png", filetype="png")
    ev = slack.mention("why?", channel=channel)
    ev["files"] = [pdf, png]
    slack.event(ev)
    section, _ = _notice(slack, channel)
    assert section == ("I could not read `report.pdf`: not a text file.\n"
                       "I could not read `shot.png`: not a text file.")
    assert [_downloads(slack, o["id"]) for o in (pdf, png)] == [[], []]


def test_partial_file_that_files_info_cannot_find_is_named(slack):
    channel = uid("C")
    partial = {"id": "FGONE0001", "mode": "file_access", "file_access": "check_file_info", "name": "gone.eml"}
    ev = slack.mention("", channel=channel)
    ev["files"] = [partial]
    slack.event(ev)
    section, _ = _notice(slack, channel)
    assert section == "I could not read `gone.eml`: Slack could not find it."


def test_file_link_outside_slack_is_named_in_a_mention(slack, elsewhere):
    channel = uid("C")
    fid = _fid()
    foreign = f"{elsewhere.url}/files-pri/{TEAM_ID}-{fid}/download/log.txt"
    obj = slack.fake.add_file(fid, POSTFIX_SNIPPET.encode(), name="log.txt", url=foreign)
    ev = slack.mention("", channel=channel)
    ev["files"] = [obj]
    slack.event(ev)
    section, _ = _notice(slack, channel)
    assert section == "I could not read `log.txt`: its link is not on Slack's file host."
    assert elsewhere.calls == []


def test_files_over_the_limit_are_named_under_the_first_answer(slack):
    channel = uid("C")
    data = (FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes()
    objs = [slack.fake.add_file(_fid(), data, name=f"b{n}.eml", mimetype="message/rfc822", filetype="email")
            for n in range(5)]
    ev = slack.mention("", channel=channel)
    ev["files"] = objs
    slack.event(ev)
    calls = slack.fake.wait("chat.postMessage", channel=channel, count=3)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 3
    first = blocks_of(calls[0].params)
    assert first[:-1] == _expected(annotate_bytes(data))
    assert first[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "I did not read `b3.eml` and `b4.eml`: only the first 3 files of a message are read.")}]}
    assert [blocks_of(c.params) for c in calls[1:]] == [_expected(annotate_bytes(data))] * 2
    assert [len(_downloads(slack, o["id"])) for o in objs] == [1, 1, 1, 0, 0]


def test_unreadable_files_are_never_mentioned_in_a_channel_nobody_asked_in(slack):
    channel = uid("C")
    fid = _fid()
    obj = slack.fake.add_file(fid, bytes(range(256)) * 8, name="x.log", mimetype="application/octet-stream",
                              filetype="binary")
    data = (FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes()
    objs = [obj] + [slack.fake.add_file(_fid(), data, name=f"b{n}.eml", mimetype="message/rfc822",
                                        filetype="email") for n in range(4)]
    slack.event(_file_event(slack, objs, channel=channel))
    calls = slack.fake.wait("chat.postMessage", channel=channel, count=3)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 3
    assert [blocks_of(c.params) for c in calls] == [_expected(annotate_bytes(data))] * 3
    assert "could not read" not in json.dumps([c.params for c in calls])


def test_shortcut_on_a_message_with_an_unreadable_file_answers_privately(slack):
    channel = uid("C")
    obj = slack.fake.add_file(_fid(), b"%PDF", name="bounce.pdf", mimetype="application/pdf", filetype="pdf")
    msg = {"type": "message", "user": "U0USER02", "ts": new_ts(), "text": "", "files": [obj]}
    slack.message_shortcut(msg, channel=channel)
    [call] = slack.fake.wait("response_url")
    assert call.path == f"/response/sc-{channel}"
    assert call.params["response_type"] == "ephemeral"
    assert blocks_of(call.params)[0]["text"]["text"] == "I could not read `bounce.pdf`: not a text file."
    assert slack.fake.find("chat.postMessage", channel=channel) == []


# -- file content is never a question about codes (finding 11) -------------------------------

def test_dm_csv_with_numbers_is_not_a_code_question(slack):
    channel = uid("D")
    obj = slack.fake.add_file(_fid(), b"region,units\nnorth,550\nsouth,421\n", name="s.csv",
                              mimetype="text/csv", filetype="csv")
    ev = _file_event(slack, [obj], channel=channel, channel_type="im")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    blocks = blocks_of(call.params)
    assert blocks[0]["text"]["text"] == (
        "I found no SMTP failure (reply code, enhanced status code or DSN) in `s.csv`.")
    assert "550 vs 421" not in all_text(call.params) and "vs" not in call.params["text"]
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_dm_typed_question_with_a_csv_explains_the_typed_codes_only(slack):
    channel = uid("D")
    obj = slack.fake.add_file(_fid(), b"region,units\nnorth,552\nsouth,451\n", name="s.csv",
                              mimetype="text/csv", filetype="csv")
    slack.event(_file_event(slack, [obj], channel=channel, channel_type="im", text="what's 421 vs 450?"))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    blocks = blocks_of(call.params)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "421 vs 450", "emoji": False}}
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "I found no SMTP failure (reply code, enhanced status code or DSN) in `s.csv`.")}]}
    assert call.params["text"].startswith("421 vs 450 |")  # the CSV's 552 and 451 are not compared
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1
