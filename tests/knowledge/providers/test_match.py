"""knowledge.providers.match(): real responses, per rule family, and responses that must NOT match.

Texts are real provider responses (from public bounce reports and the shared corpus) with personal
details replaced: user@example.com, 192.0.2.x / 198.51.100.x, example.net.
"""

from __future__ import annotations

import pytest

from knowledge.providers import match

GMAIL_MX = ("dns; gmail-smtp-in.l.google.com",)
O365_MX = ("example-net.mail.protection.outlook.com",)
HOTMAIL_MX = ("hotmail-com.olc.protection.outlook.com",)
YAHOO_MX = ("mta6.am0.yahoodns.net",)
ICLOUD_MX = ("mx01.mail.icloud.com",)

POSITIVE = [
    # --- Gmail / Google Workspace
    ("550-5.7.26 Unauthenticated email from example.net is not accepted due to 550-5.7.26 domain's DMARC policy. "
     "Please contact the administrator of 550-5.7.26 example.net domain if this was a legitimate mail. - gsmtp",
     (), "gmail.dmarc-reject"),
    ("550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all "
     "senders to authenticate with either SPF or DKIM.", GMAIL_MX, "gmail.unauthenticated"),
    ("550-5.7.26 The MAIL FROM domain [mail.example.net] has an SPF record with a 550-5.7.26 hard fail policy (-all) "
     "but it fails to pass SPF checks with the 550-5.7.26 ip: [192.0.2.20].", GMAIL_MX, "gmail.spf-hardfail"),
    ("421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. "
     "a1b2c3.12 - gsmtp", (), "gmail.spf-not-pass"),
    ("421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain "
     "[example.net 10]. https://support.google.com/mail/?p=UnsolicitedRateLimitError a1b2c3.4 - gsmtp",
     (), "gmail.unsolicited-rate"),
    ("421-4.7.23 The IP address sending this message does not have a PTR record setup, or the corresponding forward "
     "DNS entry does not point to the sending IP. - gsmtp", (), "gmail.ptr-missing-temp"),
    ("550-5.7.25 [192.0.2.202] The IP address sending this message does not have a 550-5.7.25 PTR record setup.",
     GMAIL_MX, "gmail.ptr-missing"),
    ("421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. - gsmtp",
     (), "gmail.tls-required-bulk"),
    ("421-4.7.30 Your email has been rate limited because DKIM authentication didn't pass for this message. - gsmtp",
     (), "gmail.dkim-not-pass"),
    ("550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the "
     "recipient's email address for typos. https://support.google.com/mail/?p=NoSuchUser - gsmtp",
     GMAIL_MX, "gmail.no-such-user"),
    ("452-4.2.2 The recipient's inbox is out of storage space. https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
     (), "gmail.over-quota-temp"),
    ("552-5.2.2 The recipient's inbox is out of storage space and inactive. 552 5.2.2 "
     "https://support.google.com/mail/?p=OverQuotaPerm - gsmtp", (), "gmail.over-quota-inactive"),
    ("550 5.7.1 This message violates example.com email policy. - gcdp a1b2c3 - gsmtp", (), "gmail.custom-policy"),
    ("550-5.7.1 [192.0.2.222 13] Messages with multiple 550 5.7.1 addresses in From: header are not accepted. - gsmtp",
     GMAIL_MX, "gmail.rfc5322-noncompliant"),
    ("550-5.2.1 The user you are trying to contact is receiving mail at a rate that 550-5.2.1 prevents additional "
     "messages from being delivered.", ("alt1.gmail-smtp-in.l.google.com",), "gmail.rate-to-recipient"),
    # --- Microsoft 365 / Exchange Online / Outlook.com
    ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", (),
     "microsoft.resolver-not-found"),
    ("550 5.1.10 Recipient not found", O365_MX, "microsoft.recipient-not-found"),
    ("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", (), "microsoft.resolver-not-found"),
    ("550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT001.eop-EUR03.prod.protection.outlook.com]",
     (), "microsoft.dbeb-as"),
    ("550 5.4.1 [user@example.net]: Recipient address rejected: Access denied [AB1.eop-nam01.prod.protection.outlook.com]",
     O365_MX, "microsoft.recipient-access-denied"),
    ("550 5.7.606 Access denied, banned sending IP [192.0.2.45]. To request removal from this list please visit "
     "https://sender.office.com/ and follow the directions. For more information please go to "
     "http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)", (), "microsoft.banned-ip-range"),
    ("550 5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please contact your Internet service provider "
     "since part of their network is on our block list (S3150). You can also refer your provider to "
     "http://mail.live.com/mail/troubleshooting.aspx#errors.", HOTMAIL_MX, "microsoft.outlook-blocklist"),
    ("550 5.7.1 Unfortunately, messages from [192.0.2.149] weren't sent. Please contact your Internet service provider "
     "since part of their network is on our block list (AS3140). [AM5EUR02FT027.eop-EUR02.prod.protection.outlook.com]",
     (), "microsoft.outlook-blocklist"),
    ("550 SC-001 (BAY004-MC4F25) Unfortunately, messages from 192.0.2.141 weren't sent. Please contact your Internet "
     "service provider since part of their network is on our block list.", ("mx2.hotmail.com",), "microsoft.legacy-block"),
    ("451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail "
     "delivery information, see https://postmaster.live.com (S775)", (), "microsoft.ip-reputation-ratelimit"),
    ("451 4.7.651 The mail server [192.0.2.165] has been temporarily rate limited due to IP reputation. For e-mail "
     "delivery information, see https://postmaster.live.com (S3114) [DM6NAM11FT088.eop-nam11.prod.protection.outlook.com]",
     (), "microsoft.ip-reputation-ratelimit"),
    ("550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to "
     "http://go.microsoft.com/fwlink/?LinkId=524931 AS831", (), "microsoft.tenant-blocked"),
    ("550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. [BN8NAM11FT003.eop-nam11.prod.protection.outlook.com]",
     (), "microsoft.tenant-blocked"),
    ("530 5.7.57 Client not authenticated to send mail. [BN1P110CA0052.NAMP110.PROD.OUTLOOK.COM 2023-11-29T14:52:57.126Z]",
     (), "microsoft.smtp-auth-required"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
     "[PH0PR07CA0012.namprd07.prod.outlook.com]", (), "microsoft.smtp-auth-disabled"),
    ("550 5.7.509 Access denied, sending domain [EXAMPLE.NET] does not pass DMARC verification and has a DMARC policy "
     "of reject. [JUTN0NNV051736.eop-eur22.prod.protection.outlook.com]", (), "microsoft.dmarc-reject"),
    ("432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", (), "microsoft.thread-limit"),
    # --- Yahoo / AOL
    ("421 4.7.0 [TSS04] Messages from 192.0.2.192 temporarily deferred due to unexpected volume or user complaints - "
     "4.16.55.1; see https://postmaster.verizonmedia.com/error-codes", (), "yahoo.tss-deferred"),
    ("421 4.7.1 [TS03] All messages from 192.0.2.236 will be permanently deferred; Retrying will NOT succeed. "
     "See https://help.yahoo.com/kb/postmaster/SLN3436.html", (), "yahoo.ts03-permanent"),
    ("553 5.7.2 [TSS09] All messages from 192.0.2.77 will be permanently deferred; Retrying will NOT succeed. "
     "See https://postmaster.yahooinc.com/error-codes", (), "yahoo.tss-permanent"),
    ("554 5.7.9 Message not accepted for policy reasons. See https://postmaster.verizonmedia.com/error-codes",
     ("mx-aol.mail.gm0.yahoodns.net",), "yahoo.dmarc-policy"),
    ("554 delivery error: dd This user doesn't have a yahoo.com account (user@yahoo.com) [0] - mta1061.mail.ne1.yahoo.com",
     YAHOO_MX, "yahoo.user-unknown"),
    ("553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.8, because the ip is in Spamhaus's list; "
     "see http://postmaster.yahoo.com/errors/550-bl21.html", (), "yahoo.spamhaus-listed"),
    # --- Apple iCloud
    ("550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
     (), "icloud.local-policy-cs"),
    ("554 5.7.1 [HM08] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
     (), "icloud.local-policy-hm"),
    ("554 5.7.1 Your message was rejected due to example.net's DMARC policy. See https://support.apple.com/en-us/HT204137 "
     "for info", ICLOUD_MX, "icloud.dmarc-reject"),
    ("552 5.2.2 <user@icloud.com>: user is over quota", ("mx02.mail.icloud.com",), "icloud.over-quota"),
    ("550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see "
     "https://www.spamhaus.org/dbl/", ICLOUD_MX, "icloud.spamhaus"),
    # --- Comcast, Spectrum, Cox, Orange, GMX/web.de, Mail.ru, Yandex, QQ, NetEase
    ("554 resimta-h1p-028598.sys.comcast.net comcast 192.0.2.3 found on one or more DNSBLs, see "
     "http://postmaster.comcast.net/smtp-error-codes.php#BL000001", (), "comcast.third-party-lists"),
    ("550 5.1.0 Comcast requires that all mail servers must have a PTR record with a valid Reverse DNS entry. "
     "http://postmaster.comcast.net/smtp-error-codes.php#554", (), "comcast.ptr-required"),
    ("554 imta12.westchester.pa.mail.comcast.net comcast 192.0.2.90 Comcast block for spam. Please see "
     "http://postmaster.comcast.net/smtp-error-codes.php#ES000010", (), "comcast.dynamic-ip"),
    ("550 5.1.0 <user@example.com> sender rejected. Please see https://www.spectrum.net/support/internet/"
     "understanding-email-error-codes for more information. AUP#In-1310", (), "spectrum.aup-limits"),
    ("554 impin004.msg.chrl.nc.charter.net cmsmtp 192.0.2.50 blocked. Please see https://www.spectrum.net/support/"
     "internet/understanding-email-error-codes for more information. AUP#In-1020", ("mx0.charter.net",),
     "spectrum.aup-blocked"),
    ("550 <user@example.com> message rejected. Refer to Error Codes section at https://www.cox.com/residential/"
     "support/email-error-codes.html for more information. AUP#CXSNDR", (), "cox.cxsndr"),
    ("421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]",
     ("dns; smtp-in.orange.fr",), "orange.service-refused"),
    ("550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. "
     "OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=192.0.2.31", ("smtp-in.orange.fr",),
     "orange.cloudmark-block"),
    ("550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]", ("smtp-in.orange.fr",),
     "orange.invalid-recipient"),
    ("554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service 554-IP address is block listed. "
     "554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=198.51.100.42&r=1MNcgj",
     (), "gmx.ip-blocklisted"),
    ("550 <user@web.de>: Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner",
     ("mx-ha02.web.de",), "gmx.spf-reject"),
    ("550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=AbCdEf or report details to "
     "abuse@corp.mail.ru. Error code: 0123ABCD.", ("mxs.mail.ru",), "mailru.spam-rejected"),
    ("554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1678888888-AbCdEfGh",
     (), "yandex.suspected-spam"),
    ("550 Ip frequency limited [V2VkIEFwciAgMyAx Blocked IP 192.0.2.22]. http://service.mail.qq.com/cgi-bin/help?"
     "subtype=1&&id=20022&&no=1000725", ("mx3.qq.com",), "qq.frequency-limited"),
    ("550 Mail content denied. http://service.exmail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000726",
     (), "qq.content-denied"),
    ("554 DT:SPM 163mx14,QMCowAB7mmbd2M1aAbCd--.12345S2 1700000000, please see http://mail.163.com/help/"
     "help_spam_16.htm?ip=192.0.2.61&hostid=163mx14&time=1700000000", (), "netease.dt-spm"),
    # --- Blocklists and filters
    ("554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; "
     "https://www.spamhaus.org/query/ip/192.0.2.7", ("mx.example.net",), "spamhaus.zen-listed"),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; Error: open resolver; "
     "https://www.spamhaus.org/returnc/pub/203.0.113.53", ("mx.example.net",), "spamhaus.query-error"),
    ("550 5.7.1 example.net listed in dbl.spamhaus.org (127.255.255.254); see "
     "http://www.spamhaus.org/query/dbl?domain=example.net", (), "spamhaus.query-error"),
    ("554 5.7.1 Service unavailable; Sender address [user@example.net] blocked using dbl.spamhaus.org; "
     "https://www.spamhaus.org/query/domain/example.net", (), "spamhaus.dbl"),
    ("553 http://www.spamhaus.org/query/bl?ip=192.0.2.222", ("smtp.secureserver.net",), "spamhaus.zen-listed"),
    ("554 Service unavailable; Client host [192.0.2.4] blocked using Barracuda Reputation; "
     "http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.4", (), "barracuda.brbl"),
    ("554 Refused. Your IP address is listed in the RBL at b.barracudacentral.org", ("mail.example.net",),
     "barracuda.brbl"),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using bl.spamcop.net; Blocked - see "
     "https://www.spamcop.net/bl.shtml?192.0.2.9", (), "spamcop.scbl"),
    ("554 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.225", ("dns; r2.example.org",),
     "proofpoint.pdr-blocked"),
    ("451 4.7.1 Delayed - see https://ipcheck.proofpoint.com/?ip=192.0.2.225", (), "proofpoint.pdr-delayed"),
    ("554 Host network not allowed - https://community.mimecast.com/docs/DOC-1369#554 [z7qZw5BPd1zlDYHka4589ru.us222]",
     ("dns; us-smtp-inbound-1.mimecast.com",), "mimecast.network-not-allowed"),
    ("554 email rejected due to security policies - MCSpamSignature.sa.2.2", ("dns; service222.mimecast.com",),
     "mimecast.security-policy"),
    ("451 Internal resources are temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451",
     (), "mimecast.greylisting"),
    ("554 mail.example.net Your access to this mail system has been rejected due to the sending MTA's poor reputation. "
     "If you believe that this failure is in error, please contact the intended recipient via alternate means.",
     ("mail.example.net",), "cisco.poor-reputation"),
]


@pytest.mark.parametrize(("text", "hosts", "rule_id"), POSITIVE, ids=[r for _, _, r in POSITIVE])
def test_real_response_matches_its_rule(text: str, hosts: tuple[str, ...], rule_id: str) -> None:
    note = match(None, None, text, hosts)
    assert note is not None, text
    assert note.rule_id == rule_id
    assert note.provider_id == rule_id.split(".")[0]
    assert note.doc_url.startswith("https://")


NEGATIVE = [
    # generic 550 5.7.1 from an unknown host
    ("550", "5.7.1", "550 5.7.1 <user@example.net>: Relay access denied", ("mx.example.net",)),
    ("550", "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering.", ("mail.example.net",)),
    ("550", "5.7.1", "550 5.7.1 Delivery not authorized, message refused", ()),
    # Postfix's own access-map wording: no AS(...) id, no Microsoft host -> not Microsoft
    ("554", "5.7.1", "554 5.7.1 <user@example.net>: Recipient address rejected: Access denied", ("mx.example.net",)),
    ("550", "5.1.1", "550 5.1.1 <user@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
     ("mx1.example.net",)),
    # a provider's domain only as the recipient's address is not the provider answering
    ("550", "5.1.1", "550 5.1.1 <user@outlook.com>... User unknown", ("relay.example.net",)),
    ("421", "4.7.0", "421 4.7.0 Try again later, closing connection.", ("mx.example.net",)),
    # look-alike host names
    ("550", "5.7.1", "550 5.7.1 policy rejection", ("mx.google.com.example.net",)),
    ("550", "5.1.10", "550 5.1.10 no such domain", ("outlook.com.example.net",)),
    # success replies are never a failure rule, even from Gmail
    ("250", "2.0.0", "250 2.0.0 OK 1700000000 a1b2c3d4e5.12 - gsmtp", ("gmail-smtp-in.l.google.com",)),
    (None, None, "", ()),
]


@pytest.mark.parametrize(("reply", "enh", "text", "hosts"), NEGATIVE)
def test_generic_responses_match_no_provider(reply, enh, text, hosts) -> None:
    assert match(reply, enh, text, hosts) is None


def test_codes_are_taken_from_text_when_not_given() -> None:
    text = "550 5.7.606 Access denied, banned sending IP [192.0.2.45]."
    assert match(None, None, text, O365_MX).rule_id == "microsoft.banned-ip-range"
    assert match("550", "5.7.606", text, O365_MX).rule_id == "microsoft.banned-ip-range"


def test_class_must_agree_with_the_rule() -> None:
    # Gmail's 4.7.28 deferral and 5.7.28 block share marker text; the class decides.
    text = "Gmail has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp"
    assert match("421", "4.7.28", "421-4.7.28 " + text).rule_id == "gmail.unsolicited-rate"
    assert match("550", "5.7.28", "550-5.7.28 " + text).rule_id == "gmail.unsolicited-blocked"


def test_same_enhanced_code_means_different_things_per_provider() -> None:
    gm = match("550", "5.7.1", "550 5.7.1 something new", GMAIL_MX)
    ms = match("550", "5.7.1", "550 5.7.1 something new", O365_MX)
    assert gm.rule_id == "gmail.policy-block" and ms.rule_id == "microsoft.policy-block"
    assert match("550", "5.7.1", "550 5.7.1 something new", ("mx.example.net",)) is None


def test_remote_mta_forms_are_accepted() -> None:
    for host in ("dns; gmail-smtp-in.l.google.com", "GMAIL-SMTP-IN.L.GOOGLE.COM.", "[aspmx.l.google.com]",
                 "alt2.aspmx.l.google.com"):
        note = match("552", "5.2.2", "552 5.2.2 The recipient's inbox is out of storage space and inactive.", [host])
        assert note is not None and note.rule_id == "gmail.over-quota-inactive", host


def test_odd_input_never_raises() -> None:
    assert match(None, None, None, None) is None  # type: ignore[arg-type]
    assert match("5xx", "5.7", "x" * 10, [None, 3, ""]) is None  # type: ignore[list-item]
    # long adversarial text: linear patterns only, returns promptly
    noisy = ("aup#" + "1" * 50 + " [tss0" + "-" * 30 + " 127.255.255.2 ") * 2000
    assert match("550", None, noisy) is None


def test_contradicting_enhanced_class_is_ignored() -> None:
    # A DSN Status: 4.0.0 next to a "550 ..." reply: the reply code is what the server said.
    text = ("550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming "
            "issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=192.0.2.1 [102]")
    assert match("550", "4.0.0", text, ["smtp-in.orange.fr"]).rule_id == "orange.cloudmark-block"


# Exchange Online ends each reply with the name of the server that sent it, in brackets; the server-name
# families (*.prod.outlook.com, *.prod.exchangelabs.com, *.protection.outlook.com, outlook.office365.com,
# smtp.office365.com) identify Microsoft with no Remote-MTA given.
MS_SERVER_NAMES = [
    "XX0P123CA0001.GBRP123.PROD.OUTLOOK.COM", "BN8PR12CA0001.namprd12.prod.outlook.com",
    "AM0PR01MB1234.eurprd01.prod.exchangelabs.com", "DB5EUR03FT001.eop-EUR03.prod.protection.outlook.com",
    "outlook.office365.com", "smtp.office365.com", "SN1PR0101CA0001.outlook.office365.com",
]


@pytest.mark.parametrize("server", MS_SERVER_NAMES)
@pytest.mark.parametrize(("reply", "enh", "words", "rule_id"), [
    ("530", "5.7.57", "Client not authenticated to send mail.", "microsoft.smtp-auth-required"),
    ("550", "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
     "microsoft.resolver-not-found"),
    ("550", "5.1.10", "Recipient not found", "microsoft.recipient-not-found"),
])
def test_microsoft_server_name_in_the_reply_identifies_microsoft(server, reply, enh, words, rule_id) -> None:
    text = f"{reply} {enh} {words} [{server} 2024-01-01T00:00:00.000Z 08DC1234ABCD5678]"
    note = match(reply, enh, text, ())
    assert note is not None and (note.provider_id, note.rule_id) == ("microsoft", rule_id)
    # PHPMailer / client libraries pass the reply on without its codes
    assert match(reply, enh, f"{words} [{server}]", ()).rule_id == rule_id


@pytest.mark.parametrize("lookalike", [
    "outlook.com.example.net", "XX0P123CA0001.GBRP123.PROD.OUTLOOK.COM.example.net",
    "x.prod.exchangelabs.com.example.org", "mail.protection.outlook.com.evil.example", "notoutlook.com",
    "prod-outlook.com", "exchangelabs.com.example.net", "smtp.office365.com.example.net", "office365.example.com",
])
def test_microsoft_look_alike_server_names_do_not_match(lookalike) -> None:
    assert match("530", "5.7.57", f"530 5.7.57 Client not authenticated to send mail. [{lookalike}]", ()) is None
    assert match("530", "5.7.57", "530 5.7.57 Client not authenticated to send mail.", (lookalike,)) is None
