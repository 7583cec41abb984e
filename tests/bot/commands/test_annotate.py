"""``smtpbot annotate``: JSON contract, input order, unreadable files, stdin, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.annotate import FINDING_KEYS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bounces"


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_one_object_per_input_in_order(capsys):
    files = [str(FIXTURES / n) for n in ("qmail/qmail.eml", "arf/arf.eml", "postfix/postfix-dsn.eml")]
    assert main(["annotate", "--format", "json", *files]) == 0
    objs = _json_lines(capsys.readouterr().out)
    assert [o["source"] for o in objs] == files
    assert [o["kind"] for o in objs] == ["bounce", "feedback-report", "bounce"]
    assert [len(o["findings"]) for o in objs] == [1, 0, 2]
    f = objs[2]["findings"][1]
    assert tuple(f) == FINDING_KEYS
    assert (f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"], f["hard_bounce"]) == (
        "full@example.org", "452", "4.2.2", "mailboxfull", False)
    assert f["provider"] is None  # mx.example.org is no known provider's host


def test_json_names_the_provider_without_explain(capsys):
    """Issue 5: the JSON finding carries the provider and the matched rule id by default."""
    assert main(["annotate", "--format", "json", str(FIXTURES / "exchange" / "office365-crlf.eml")]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    (f,) = obj["findings"]
    assert (f["reply_code"], f["enhanced_status"]) == ("550", "5.1.10")
    assert f["provider"] == "Microsoft 365 / Exchange Online / Outlook.com"
    assert f["provider_rule"] == "microsoft.resolver-not-found"
    assert f["title"] is None  # the knowledge base's text needs --explain on the JSON path


def test_unreadable_file_reports_and_continues(capsys, tmp_path):
    missing = str(tmp_path / "nope.eml")
    ok = str(FIXTURES / "qmail" / "qmail.eml")
    assert main(["annotate", "--format", "json", missing, ok]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"smtpbot annotate: {missing}: No such file or directory"
    objs = _json_lines(captured.out)
    # one object per input, in input order: the unreadable one says so
    assert [o["source"] for o in objs] == [missing, ok]
    assert objs[0] == {"source": missing, "kind": "none", "findings": [], "notes": [],
                       "error": "could not read: No such file or directory"}
    assert "error" not in objs[1]


def test_directory_is_unreadable(capsys, tmp_path):
    assert main(["annotate", "--format", "json", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(f"smtpbot annotate: {tmp_path}: ")


def test_stdin(monkeypatch, capsys):
    import io

    data = (FIXTURES / "exim" / "exim.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["annotate", "--format", "json", "-"]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    assert obj["source"] == "-"
    assert [(f["recipient"], f["reason"]) for f in obj["findings"]] == [("someone@example.com", "spamdetected")]


def test_text_output(capsys):
    assert main(["annotate", str(FIXTURES / "postfix" / "postfix-dsn.eml"), str(FIXTURES / "arf" / "arf.eml")]) == 0
    out = capsys.readouterr().out
    assert "1. nobody@example.com  550 5.1.1  reason: user unknown (userunknown)\n" in out
    assert "status: permanent failure · hard bounce (the address is bad: remove it)" in out
    assert "2. full@example.org  452 4.2.2  reason: mailbox full (mailboxfull)\n" in out
    # 452 is transient, but the DSN says Action: failed: Postfix gave up, so it is permanent now
    assert "status: permanent failure · soft bounce (the address is fine: fix the\n       cause, then resend)" in out
    assert "ARF feedback report" in out
    assert "Traceback" not in out


def test_empty_input_text(capsys, tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert main(["annotate", "--format", "json", str(p)]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    assert obj == {"source": str(p), "kind": "none", "findings": [], "notes": ["empty input: nothing to annotate"]}


def test_explain_adds_knowledge(capsys):
    assert main(["annotate", "--format", "json", "--explain", str(FIXTURES / "postfix" / "postfix-dsn.eml")]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    assert all(f["title"] for f in obj["findings"])


def test_many_files_keep_order_across_processes(tmp_path):
    """Above PARALLEL_MIN_FILES inputs the JSON path forks; output order must not change."""
    from bot.commands.annotate import PARALLEL_MIN_FILES

    names = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/*.eml"))
    files = [str(FIXTURES / names[i % len(names)]) for i in range(PARALLEL_MIN_FILES + 5)]
    files.insert(7, str(tmp_path / "missing.eml"))
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "annotate", "--format", "json", *files],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3], timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("smtpbot annotate: ") == 1
    objs = _json_lines(proc.stdout)
    assert [o["source"] for o in objs] == files
    assert [o["source"] for o in objs if "error" in o] == [f for f in files if f.endswith("missing.eml")]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_closed_stdout_is_quiet(fmt):
    files = [str(FIXTURES / "postfix" / "postfix-dsn.eml")] * 60
    proc = subprocess.run(
        f"{sys.executable} -m bot.cli annotate --format {fmt} " + " ".join(files) + " | head -c 10; "
        "exit ${PIPESTATUS[0]}",
        shell=True, executable="/bin/bash", capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[3], timeout=60)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0  # a reader that stops early is not an error


def test_explained_finding_leads_with_the_provider_meaning():
    """Issue 5: a matched provider rule's meaning comes first, the RFC meaning under it,
    with the rule's documentation link (Microsoft DBEB: 5.4.1 is not 'no answer from host')."""
    from knowledge.annotate import annotate_text

    text = ("550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
            "[DM6NAM10FT012.eop-nam10.prod.protection.outlook.com]\n")
    (f,) = annotate_text(text).findings
    assert f.provider_rule == "microsoft.dbeb-as"
    assert f.provider_doc_url == ("https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
                                  "use-directory-based-edge-blocking")
    assert f.title.startswith("Directory-Based Edge Blocking")
    assert f.explanation.startswith("Microsoft 365 / Exchange Online / Outlook.com: ")
    assert f.explanation.endswith(" Standard: 5.4.x = permanent failure, network and routing")
    assert "No answer from host" not in f.explanation and "could not connect" not in f.explanation


def test_pasted_unknown_user_reply_without_command_is_a_hard_bounce():
    """A client error quoting the server's unknown-user reply (no SMTP command named) is the
    RCPT TO answer: the address is dead, so it must not come out as a soft 'filtered'."""
    from knowledge.annotate import annotate_text

    text = ("smtplib.SMTPRecipientsRefused: {'user@example.com': (550, b'Requested action not taken: "
            "mailbox unavailable, user unknown')}\n")
    (f,) = annotate_text(text).findings
    assert (f.recipient, f.reply_code, f.reason, f.hard_bounce) == ("user@example.com", "550", "userunknown", True)


def test_pasted_bounce_body_is_a_bounce_and_log_lines_are_a_log():
    """The body of a non-delivery report pasted without its headers is still a bounce."""
    from knowledge.annotate import annotate_text

    ndr = ("Delivery has failed to these recipients or groups:\n\nuser@example.com\n"
           "The email address you entered could not be found.\n\n"
           "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
           "address lookup'\n")
    log = ("Nov 29 07:00:01 mx postfix/smtp[123]: ABC: to=<alice@example.com>, relay=none, delay=30, "
           "dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.1]:25: Connection timed out)\n")
    assert annotate_text(ndr).kind == "bounce"
    assert annotate_text(log).kind == "log"


def test_success_reply_refused_by_the_client_is_the_finding_but_a_sent_log_line_is_not():
    from knowledge.annotate import annotate_rows

    # Swift Mailer: the server answered 235 where the client expected 250 -- that reply is the failure
    text = (b'Expected response code 250 but got code "235", with message "235 2.7.0 Authentication '
            b'successful"')
    kind, findings, _ = annotate_rows(text)
    assert [(f["reply_code"], f["enhanced_status"], f["reason"], f["hard_bounce"]) for f in findings] == [
        ("235", "2.7.0", "undefined", False)]
    # a delivery logged as sent is no failure at all
    sent = (b"Nov 29 10:00:00 mx postfix/smtp[123]: 4A1B2C3D: to=<user@example.com>, relay=mx.example.net"
            b"[192.0.2.5]:25, delay=0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5E6F)\n")
    assert annotate_rows(sent)[:2] == ("none", [])


def test_software_versions_in_a_header_like_block_are_not_codes():
    from knowledge.annotate import annotate_rows

    text = (b"Versions:\nWordPress: 4.9.4\nPHP: 5.4.45\nMailer Plugin: 1.2.5\n\n"
            b"SMTP ERROR: Failed to connect to server: Connection refused (111)\n")
    kind, findings, _ = annotate_rows(text)
    assert [(f["reply_code"], f["enhanced_status"]) for f in findings] == []


def test_text_output_never_sends_control_characters_to_the_terminal(capsys, tmp_path):
    line = ("Jan  3 10:00:00 mta postfix/smtp[1]: AB: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, "
            "dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: "
            "\x1b[2J\x1b]0;PWNED\x07\u202eRED User unknown (in reply to RCPT TO command))\n")
    path = tmp_path / "esc\x1b[31m.txt"
    path.write_text(line, encoding="utf-8")
    assert main(["annotate", str(path)]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in "\x1b\x07\u202e")
    assert "reply: <a@example.com>: \\x1b[2J\\x1b]0;PWNED\\x07\\u202eRED User unknown" in out
    assert "esc\\x1b[31m.txt" in out


def test_delivered_recipients_and_auto_replies_are_not_called_bounces(capsys):
    assert main(["annotate", str(FIXTURES / "rfc3464" / "delivered-dsn.eml"), str(FIXTURES / "autoreply" / "autoreply.eml")]) == 0
    out = capsys.readouterr().out
    assert "1. ok@example.com  250 2.0.0  reason: delivered (not a failure)" in out
    assert "1. person@example.com  -  reason: automatic reply (not a failure)" in out
    assert "hard bounce" not in out and "soft bounce" not in out


def test_notes_are_printed_apart_from_the_last_finding(capsys):
    assert main(["annotate", str(FIXTURES / "mbox" / "three-messages.mbox")]) == 0
    out = capsys.readouterr().out.splitlines()
    notes = [ln for ln in out if ln.lstrip().startswith("note:")]
    assert notes and all(ln.startswith("  note: ") for ln in notes)
    assert "  note: mbox file: 3 messages read" in out


def test_garbage_collector_is_paused_only_while_annotating(capsys, monkeypatch):
    import gc

    from bot.commands import annotate as cmd

    seen = []
    real = cmd._annotate_files
    monkeypatch.setattr(cmd, "_annotate_files", lambda *a: (seen.append(gc.isenabled()), real(*a))[1])
    assert gc.isenabled()
    assert main(["annotate", "--format", "json", str(FIXTURES / "exim" / "exim.eml")]) == 0
    assert seen == [False] and gc.isenabled()


# --------------------------------------------------------------------------- --slack-text

ESCAPED_LOG = ("Jun  1 10:00:00 mx postfix/smtp[7]: 4B1: to=<u@example.com>, relay=mx.example.net[192.0.2.1]:25, "
               "dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 &lt;u@example.com&gt;: "
               "Recipient address rejected: User unknown (in reply to RCPT TO command))\n")


def test_log_files_are_read_literally_by_default(capsys, tmp_path):
    # a log file is not Slack markup: "&lt;" in it is what the server wrote, not an escaped "<"
    path = tmp_path / "maillog.txt"
    path.write_text(ESCAPED_LOG, encoding="utf-8")
    assert main(["annotate", "--format", "json", str(path)]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    (f,) = obj["findings"]
    assert (f["reply_code"], f["enhanced_status"], f["reason"]) == ("550", "5.1.1", "userunknown")
    assert "&lt;u@example.com&gt;" in f["reply_text"] and "<u@example.com>" not in f["reply_text"]


def test_slack_text_flag_undoes_slack_markup_once(capsys, tmp_path):
    copied = ("`host mx.example.net[192.0.2.1] said: 550 5.1.1 &lt;<mailto:u@example.com|u@example.com>&gt;: "
              "Recipient address rejected: User unknown &amp;lt;sic (in reply to RCPT TO command)`\n")
    path = tmp_path / "copied.txt"
    path.write_text(copied, encoding="utf-8")
    assert main(["annotate", "--format", "json", "--slack-text", str(path)]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    (f,) = obj["findings"]
    assert (f["reply_code"], f["enhanced_status"], f["recipient"]) == ("550", "5.1.1", "u@example.com")
    assert "<u@example.com>" in f["reply_text"]
    assert "&lt;sic" in f["reply_text"]  # Slack escapes once: "&amp;lt;" is a literal "&lt;"


def test_slack_text_flag_reads_a_bounce_pasted_in_a_code_block(capsys, tmp_path):
    raw = (FIXTURES / "postfix" / "postfix-dsn.eml").read_text()
    path = tmp_path / "pasted.txt"
    path.write_text("```" + raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "```",
                    encoding="utf-8")
    assert main(["annotate", "--format", "json", "--slack-text", str(path)]) == 0
    (obj,) = _json_lines(capsys.readouterr().out)
    assert obj["kind"] == "bounce"
    assert [(f["recipient"], f["reason"]) for f in obj["findings"]] == [
        ("nobody@example.com", "userunknown"), ("full@example.org", "mailboxfull")]


def test_slack_text_flag_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["annotate", "--help"])
    assert "--slack-text" in capsys.readouterr().out
