"""Provider rules that carry a Sisimai bounce reason decide the finding's reason and hard/soft.

Real response texts (personal details replaced: example.com/.net, 192.0.2.x) from receivers with their
own codes; each expected reason is the one the receiver's documentation gives the refusal, checked
against Sisimai's per-receiver tables (rb-sisimai lib/sisimai/rhost/*.rb) and its reason definitions
(https://libsisimai.org/en/reason/).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import providers
from knowledge.annotate import _complete, annotate_rows
from knowledge.providers import ProviderDataError, match, match_fields, validate_provider_data
from knowledge.reasons import REASONS, classify


def _dsn(diag: str, remote: str, status: str = "5.0.0", action: str = "failed",
         rcpt: str = "user@example.net") -> bytes:
    """A minimal RFC 3464 bounce (Postfix layout) with one recipient."""
    return f"""From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: sender@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

This is the mail system at host mail.example.com.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; {rcpt}
Action: {action}
Status: {status}
Remote-MTA: dns; {remote}
Diagnostic-Code: smtp; {diag}

--BOUNDARY--
""".encode()


COX_CDRBL = ("550 5.1.0 <bounce@example.com> sender rejected. Refer to Error Codes section at "
             "https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CDRBL")

# (Diagnostic-Code, Remote-MTA, Status, reason, hard_bounce, provider rule)
CASES = [
    # Cox: the AUP# code names the refusal; "sender rejected" is only Cox's fixed wording.
    (COX_CDRBL, "cxr.mx.a.cloudfilter.net", "5.1.0", "blocked", False, "cox.cdrbl"),
    ("554 5.7.1 <user@example.net> rejected. Refer to Error Codes section at https://www.cox.com/residential/"
     "support/email-error-codes.html for more information. AUP#CXDNS", "mx.west.cox.net", "5.7.1",
     "requireptr", False, "cox.cxdns"),
    ("554 5.7.1 message rejected. Refer to https://www.cox.com/residential/support/email-error-codes.html "
     "AUP#URLBL011", "mx.west.cox.net", "5.7.1", "spamdetected", False, "cox.url-lists"),
    # Cloudflare Email Routing
    ("554 192.0.2.1 found on one or more DNSBLs (abusixip). Refer to https://developers.cloudflare.com/"
     "email-routing/postmaster/#spam-and-abusive-traffic for more information.", "route1.mx.cloudflare.net",
     "5.0.0", "blocked", False, "cloudflare.dnsbl"),
    # Broadcom Email Security.cloud (MessageLabs)
    ("553-mail rejected because your IP is in the PBL. See http://www.spamhaus.org/pbl",
     "cluster9.eu.messagelabs.com", "5.0.0", "blocked", False, "messagelabs.ip-blocked"),
    ("550-Invalid recipient <user@example.net> 550 (#5.1.1)", "cluster9.eu.messagelabs.com", "5.1.1",
     "userunknown", True, "messagelabs.invalid-recipient"),
    ("553 sorry, your envelope sender is in my badmailfrom list. Please visit www.symanteccloud.com/"
     "troubleshooting for more details about this error message (#5.7.1)", "cluster9.eu.messagelabs.com",
     "5.7.1", "rejected", False, "messagelabs.sender-blocked"),
    # Outlook.com / Exchange Online
    ("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service "
     "provider since part of their network is on our block list (S3150). You can also refer your provider to "
     "http://mail.live.com/mail/troubleshooting.aspx#errors. [AM0EUR02FT017.eop-EUR02.prod.protection.outlook.com]",
     "outlook-com.olc.protection.outlook.com", "5.7.1", "blocked", False, "microsoft.outlook-blocklist"),
    ("550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
     "[DB5EUR03FT011.eop-EUR03.prod.protection.outlook.com]", "example-net.mail.protection.outlook.com", "5.4.1",
     "userunknown", True, "microsoft.dbeb-as"),
    ("550 5.7.606 Access denied, banned sending IP [192.0.2.45]. To request removal from this list please visit "
     "https://sender.office.com/ and follow the directions.", "example-net.mail.protection.outlook.com", "5.7.606",
     "blocked", False, "microsoft.banned-ip-range"),
    # Zoho Mail
    ("550 5.7.1 Email rejected per DMARC policy for example.com", "mx.zoho.com", "5.7.1",
     "authfailure", False, "zoho.dmarc-reject"),
    ("554 5.7.7 Email policy violation detected", "smtpin.zoho.com", "5.7.7",
     "policyviolation", False, "zoho.policy"),
    ("550 5.1.1 User does not exist - <user@example.net>", "mx.zoho.com", "5.1.1",
     "userunknown", True, "zoho.user-unknown"),
    # Facebook
    ("550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=192.0.2.1#rcp Refused due to "
     "recipient preferences", "mx-out.facebook.com", "5.1.1", "filtered", False, "facebook.recipient-preferences"),
    ("550 5.1.1 RCP-P1 http://postmaster.facebook.com/response_codes?ip=192.0.2.1#rcp The attempted recipient "
     "address does not exist", "mx-out.facebook.com", "5.1.1", "userunknown", True, "facebook.no-such-user"),
    # GoDaddy
    ("554 p3plibsmtp03-08.prod.phx3.secureserver.net bizsmtp Connection refused. 192.0.2.1 is listed on the "
     "Spamhaus Block List (SBL). IB104", "mx1.secureserver.net", "5.0.0", "blocked", False, "godaddy.ip-listed"),
    ("421 p3plibsmtp01-05.prod.phx3.secureserver.net bizsmtp Temporarily rejected. Reverse DNS for this IP "
     "failed. IB108", "mx1.secureserver.net", "4.0.0", "requireptr", False, "godaddy.no-rdns"),
    # Apple iCloud
    ("550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
     "mx01.mail.icloud.com", "5.7.1", "policyviolation", False, "icloud.local-policy-cs"),
    ("550 5.1.1 <user@icloud.com>: inactive email address", "mx01.mail.icloud.com", "5.1.1",
     "userunknown", True, "icloud.inactive-address"),
    # Yahoo / AOL
    ("553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. "
     "See https://postmaster.yahooinc.com/error-codes", "mta7.am0.yahoodns.net", "5.7.2",
     "rejected", False, "yahoo.tss-permanent"),
    ("554 30 Sorry, your message to user@aol.com cannot be delivered. This mailbox is disabled (554.30)",
     "mx-aol.mail.gm0.yahoodns.net", "5.0.0", "suspend", False, "yahoo.mailbox-disabled"),
    # Google
    ("550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy. Please "
     "contact the administrator of example.com domain if this was a legitimate mail. - gsmtp",
     "gmail-smtp-in.l.google.com", "5.7.26", "authfailure", False, "gmail.dmarc-reject"),
    ("452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to "
     "https://support.google.com/mail/?p=OverQuotaTemp - gsmtp", "gmail-smtp-in.l.google.com", "4.2.2",
     "mailboxfull", False, "gmail.over-quota-temp"),
    # Tencent QQ
    ("550 Ip frequency limited [V2VkIEFwcg== Blocked IP 192.0.2.22]. "
     "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000725", "mx3.qq.com", "5.0.0",
     "toomanyconn", False, "qq.frequency-limited"),
    # Spectrum
    ("554 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.9] Please see "
     "https://www.spectrum.net/support/internet/understanding-email-error-codes AUP#I-1100", "mx0.charter.net",
     "5.7.1", "requireptr", False, "spectrum.aup-rdns"),
    # Mimecast
    ("550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550 [aBcDeFgH.uk66]",
     "eu-smtp-inbound-1.mimecast.com", "5.0.0", "rejected", False, "mimecast.recipient-blocked-you"),
    # Orange
    ("421 mwinf5c10 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow "
     "down. OFR004_104 [104]", "smtp-in.orange.fr", "4.0.0", "toomanyconn", False, "orange.too-many-connections"),
]


@pytest.mark.parametrize("diag,remote,status,reason,hard,rule", CASES, ids=[c[5] for c in CASES])
def test_provider_rule_decides_reason(diag, remote, status, reason, hard, rule):
    kind, findings, _ = annotate_rows(_dsn(diag, remote, status))
    assert kind == "bounce"
    (f,) = findings
    assert (f["provider_rule"], f["reason"], f["hard_bounce"]) == (rule, reason, hard)


@pytest.mark.parametrize("diag,remote,status,reason,hard,rule", CASES[:: 4], ids=[c[5] for c in CASES[:: 4]])
def test_explain_path_agrees(diag, remote, status, reason, hard, rule):
    """The pydantic path (explain=True, ProviderNote) gives the same reason as the fast path."""
    _, findings, _ = annotate_rows(_dsn(diag, remote, status), explain=True)
    (f,) = findings
    assert (f["provider_rule"], f["reason"], f["hard_bounce"]) == (rule, reason, hard)


def test_cox_cdrbl_through_the_cli(tmp_path, capsys):
    """The Cox example: generic words say "sender rejected", Cox's AUP#CDRBL says IP blocked."""
    assert classify("550", "5.1.0", COX_CDRBL, "MAIL")[0] == "rejected"  # what the words alone give
    path = tmp_path / "cox.eml"
    path.write_bytes(_dsn(COX_CDRBL, "cxr.mx.a.cloudfilter.net", "5.1.0"))
    assert main(["annotate", "--format", "json", str(path)]) == 0
    (f,) = json.loads(capsys.readouterr().out)["findings"]
    assert (f["reason"], f["hard_bounce"], f["provider"], f["provider_rule"]) == ("blocked", False, "Cox", "cox.cdrbl")
    assert f["inferred_status"] is None and f["enhanced_status"] == "5.1.0"


@pytest.mark.parametrize("diag,reason", [
    ("550 5.7.1 Message rejected as spam by Content Filtering.", "spamdetected"),
    ("550 5.7.1 Relaying denied", "norelaying"),
    ("550 5.7.1 Access denied", "securityerror"),
    ("550 5.7.1 <user@example.net>: Recipient address rejected: sender rejected", "rejected"),
])
def test_generic_reply_from_unknown_host_keeps_generic_reason(diag, reason):
    """No provider rule matches a generic 550 5.7.1 from an unknown host: the generic classification stays."""
    assert classify("550", "5.7.1", diag)[0] == reason
    _, findings, _ = annotate_rows(_dsn(diag, "mx.example.net", "5.7.1"))
    (f,) = findings
    assert (f["provider"], f["provider_rule"], f["reason"], f["hard_bounce"]) == (None, None, reason, False)


def test_delayed_message_is_not_overridden():
    """A deferral still in the queue keeps the generic reason; the rule still names the provider."""
    diag = COX_CDRBL.replace("550 5.1.0", "421 4.7.0")
    _, findings, _ = annotate_rows(_dsn(diag, "cxr.mx.a.cloudfilter.net", "4.7.0", action="delayed"))
    (f,) = findings
    assert (f["action"], f["provider_rule"], f["reason"], f["hard_bounce"]) == ("delayed", "cox.cdrbl", "rejected", False)
    # the same reply in a failed DSN is decided by the rule
    _, findings, _ = annotate_rows(_dsn(diag, "cxr.mx.a.cloudfilter.net", "4.7.0", action="failed"))
    assert findings[0]["reason"] == "blocked"


def _row(reason: str, action: str | None = None, command: str | None = None, text: str = COX_CDRBL) -> dict:
    return {"recipient": "user@example.net", "reply_code": "550", "enhanced_status": "5.1.0", "reason": reason,
            "hard_bounce": False, "action": action, "command": command, "remote_mta": None, "reply_text": text}


@pytest.mark.parametrize("reason", ["delivered", "vacation", "feedback", "expired"])
def test_structural_reasons_are_kept(reason):
    for explain in (False, True):
        out = _complete(_row(reason), [], explain, True)
        assert (out["reason"], out["provider_rule"]) == (reason, "cox.cdrbl")


@pytest.mark.parametrize("action", ["delivered", "relayed", "expanded", "Delayed"])
def test_structural_actions_are_kept(action):
    out = _complete(_row("rejected", action=action), [], False, True)
    assert (out["reason"], out["provider_rule"]) == ("rejected", "cox.cdrbl")


@pytest.mark.parametrize("reason", ["onhold", "undefined", "rejected", "userunknown"])
def test_undecided_and_generic_reasons_are_replaced(reason):
    """Sisimai's onhold means "too little information"; the provider's code is that information."""
    out = _complete(_row(reason), [], False, True)
    assert (out["reason"], out["hard_bounce"]) == ("blocked", False)


def test_refusal_at_mail_from_stays_rejected_for_reputation_rules():
    """Yahoo [TSS04] answering MAIL FROM refuses the sender: Sisimai's "rejected", as classify says."""
    text = ("421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user "
            "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes")
    row = _row("rejected", command="MAIL FROM", text=text)
    row.update(reply_code="421", enhanced_status="4.7.0")
    out = _complete(row, ["mta6.am0.yahoodns.net"], False, True)
    assert (out["provider_rule"], out["reason"]) == ("yahoo.tss-deferred", "rejected")
    row["command"] = "RCPT TO"
    out = _complete(row, ["mta6.am0.yahoodns.net"], False, True)
    assert out["reason"] == "badreputation"
    # an IP block stays a block at MAIL FROM (the Cox example answers MAIL FROM)
    assert _complete(_row("rejected", command="MAIL FROM"), [], False, True)["reason"] == "blocked"


def test_no_provider_rules_when_disabled():
    out = _complete(_row("rejected"), [], False, False)
    assert (out["provider_rule"], out["reason"]) == (None, "rejected")


def test_match_fields_and_note_carry_the_reason():
    hit = match_fields("550", "5.1.0", COX_CDRBL)
    assert hit is not None and hit[1] == "cox.cdrbl" and hit[4] == "blocked"
    note = match("550", "5.1.0", COX_CDRBL)
    assert note is not None and (note.rule_id, note.reason) == ("cox.cdrbl", "blocked")
    assert match_fields("550", "5.1.1", "550 5.1.1 User unknown", ["mx.example.net"]) is None


def test_rule_reasons_are_sisimai_failure_reasons():
    assert providers._REASON_NAMES == frozenset(REASONS)
    rules = [r for p in providers._index().providers.values() for r in p.rules]
    with_reason = [r for r in rules if r.reason is not None]
    assert len(with_reason) >= 190
    assert all(r.reason in REASONS and r.reason not in ("delivered", "vacation", "feedback") for r in with_reason)


@pytest.mark.parametrize("value,shown", [('"blockedd"', "'blockedd'"), ('"vacation"', "'vacation'"), ("3", "3")])
def test_bad_reason_fails_loading_naming_file_rule_and_field(tmp_path, value, shown):
    src = providers.DATA_DIR / "cox.toml"
    text = src.read_text(encoding="utf-8")
    text = text.replace('reason = "blocked"\ndoc_url', f"reason = {value}\ndoc_url", 1)
    (tmp_path / "cox.toml").write_text(text, encoding="utf-8")
    shutil.copy(providers.DATA_DIR / "gmail.toml", tmp_path / "gmail.toml")
    with pytest.raises(ProviderDataError) as err:
        validate_provider_data(tmp_path)
    msg = str(err.value)
    assert msg.startswith("cox.toml rule cox.cxbl: field 'reason' is " + shown)
    assert "userunknown" in msg  # the allowed values are listed


def test_shipped_data_validates():
    ids = validate_provider_data()
    assert {"cloudflare.dnsbl", "messagelabs.ip-blocked", "zoho.dmarc-reject", "facebook.no-such-user",
            "godaddy.ip-listed", "cox.url-lists"} <= set(ids)


def test_shared_corpus_scores_do_not_drop():
    """The rhost samples of the shared corpus keep their expected reasons (skips without the corpus)."""
    corpus = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "bounces"
    expected_file = corpus / "expected.json"
    if not expected_file.is_file():
        pytest.skip("shared corpus not present")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    items = expected.items() if isinstance(expected, dict) else []
    checked = 0
    for name, want in items:
        if not name.startswith("rhost-") or not (corpus / name).is_file():
            continue
        wants = want if isinstance(want, list) else want.get("findings", [want]) if isinstance(want, dict) else []
        _, findings, _ = annotate_rows((corpus / name).read_bytes())
        got = [f["reason"] for f in findings]
        for w in wants:
            if isinstance(w, dict) and w.get("reason"):
                assert w["reason"] in got, (name, w["reason"], got)
                checked += 1
    if not checked:
        pytest.skip("expected.json has an unknown layout")
