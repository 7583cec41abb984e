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
from bot.slack.blocks import Renderer, short_help_message
from bot.storage.base import ChannelSettings
from knowledge.annotate import annotate_bytes, annotate_text
from tests.slack.checks import all_text, assert_valid_message, blocks_of
from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slack.harness import new_ts, uid

TOKEN = "xoxb-test-0000-token"  # the harness's bot token
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"
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
    data = (FIXTURES / "postfix-dsn.eml").read_bytes()
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
    data = (FIXTURES / "sendmail-dsn.eml").read_bytes()
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
    data = (FIXTURES / "autoreply.eml").read_bytes()
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
    data = (FIXTURES / "gmail.eml").read_bytes()
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
