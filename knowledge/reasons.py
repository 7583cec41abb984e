"""Classify one delivery failure into a bounce reason and hard / soft.

The reason vocabulary is Sisimai's (https://libsisimai.org/en/reason/),
listed in :data:`knowledge.results.Reason`.  The hard / soft rule follows
Sisimai's documented rule (https://libsisimai.org/en/reason/ and
rb-sisimai issue #197): a bounce is *hard* when retrying the same address can
never succeed - the mailbox does not exist (``userunknown``), the domain does
not exist (``hostunknown``), the address has moved (``hasmoved``) or the
domain accepts no mail at all (``notaccept``, RFC 7505 null MX).  Every other
reason is soft: the sender or an administrator can change something and
retry.  ``delivered``, ``feedback`` and ``vacation`` are not failures and are
reported as soft (``False``) so that no caller suppresses the address.

How a reason is chosen, strongest evidence first:

1. provider reply families (Sisimai's "rhost" layer): Orange / La Poste
   internal codes (OFR_506, LPN007_416), Spectrum AUP# numbers, and the
   fixed texts of Gmail, Yahoo, Mimecast and au (KDDI) decide outright
   (:func:`provider_reason`);
2. the diagnostic text, matched against phrasing families that MTAs and
   mailbox providers use for each reason (own patterns, written from the
   reason definitions and Sisimai's documented families; no pattern can
   backtrack catastrophically: each is a plain alternation of literals with
   bounded gaps, and only the alternatives whose literal triggers occur are
   run);
3. the enhanced status code (RFC 3463 subject / detail, IANA "Enumerated
   Status Codes" registry), when it names a specific condition;
4. generic words of a reason ("policy", "content", "authentication" ...),
   then weak words ("rejected", "filter" ...); then a server reply whose words
   name nothing is Sisimai's ``onhold``; then the reply code (RFC 5321
   section 4.2) and the SMTP command it answered; then the RFC 3464 Action.

Sisimai's command rules then apply: an unknown-user wording is
``userunknown`` only with an address status (X.1.x) or at RCPT TO,
otherwise the recipient was refused after acceptance (``filtered``, soft;
lib/sisimai/reason/userunknown.rb and filtered.rb); a refusal at MAIL FROM
is ``rejected``; before any address (greeting, HELO) ``blocked``.  A
*deferred* message (Action: delayed, Postfix ``status=deferred``) whose
host could not be reached is ``networkerror``, not ``expired``, and
:func:`next_step` says the sending MTA is still retrying it.

This module is import-cheap (only :mod:`re`); the CLI's JSON path relies on
that.
"""

from __future__ import annotations

import re

from knowledge.vocabulary import NOT_FAILURE_REASONS, REASONS  # Sisimai's reason names, defined once

__all__ = ["classify", "is_hard", "next_step", "provider_reason", "reason_label", "REASONS", "REASON_LABELS",
           "NEXT_STEPS", "STATUS_REASON"]

# Plain-language labels for the reason tags, for people reading a reply (Slack, terminal).
REASON_LABELS: dict[str, str] = {
    "authfailure": "authentication failure (SPF/DKIM/DMARC)",
    "badreputation": "poor sender reputation",
    "blocked": "sending IP or host blocked",
    "contenterror": "message content or format refused",
    "delivered": "delivered",
    "exceedlimit": "message over the size limit",
    "expired": "delivery time expired",
    "feedback": "abuse feedback report",
    "filtered": "refused by a filter",
    "hasmoved": "recipient has moved",
    "hostunknown": "recipient domain does not exist",
    "mailboxfull": "mailbox full",
    "mailererror": "mail program error",
    "mesgtoobig": "message too big",
    "networkerror": "network or DNS error",
    "norelaying": "relaying denied",
    "notaccept": "domain accepts no mail",
    "notcompliantrfc": "message not RFC-compliant",
    "onhold": "on hold",
    "policyviolation": "policy violation",
    "rejected": "sender rejected",
    "requireptr": "no reverse DNS (PTR) for the sending IP",
    "securityerror": "security error",
    "spamdetected": "judged as spam",
    "speeding": "rate limited",
    "suspend": "mailbox suspended",
    "syntaxerror": "SMTP syntax error",
    "systemerror": "receiving system error",
    "systemfull": "receiving system full",
    "toomanyconn": "too many connections",
    "undefined": "reason not identified",
    "userunknown": "user unknown",
    "vacation": "auto-reply (vacation)",
    "virusdetected": "virus detected",
}


def reason_label(reason: str | None) -> str | None:
    """A human label for a Sisimai bounce reason tag (``"userunknown"`` -> ``"user unknown"``)."""
    if not reason:
        return None
    return REASON_LABELS.get(reason, reason)


HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Enhanced status code (RFC 3463 / IANA registry) -> reason, when the code
# alone names the condition.  Keys are "subject.detail" (class stripped);
# entries with a class prefix override for that class only.
STATUS_REASON: dict[str, str] = {
    "1.1": "userunknown",      # bad destination mailbox address
    "1.2": "hostunknown",      # bad destination system address
    "1.3": "userunknown",      # bad destination mailbox address syntax
    "1.4": "userunknown",      # destination mailbox address ambiguous
    "1.5": "userunknown",      # (5.1.5 destination address valid - used for rejects)
    "1.6": "hasmoved",         # destination mailbox has moved, no forwarding address
    "1.7": "rejected",         # bad sender's mailbox address syntax
    "1.8": "rejected",         # bad sender's system address
    "1.10": "notaccept",       # recipient address has null MX (RFC 7505)
    "2.1": "suspend",          # mailbox disabled, not accepting messages
    "2.2": "mailboxfull",      # mailbox full
    "2.3": "exceedlimit",      # message length exceeds administrative limit (per-recipient)
    "2.4": "systemerror",      # mailing list expansion problem
    "3.1": "systemfull",       # mail system full
    "3.2": "notaccept",        # system not accepting network messages
    "3.3": "systemerror",      # system not capable of selected features
    "3.4": "mesgtoobig",       # message too big for system
    "3.5": "systemerror",      # system incorrectly configured
    "4.1": "networkerror",     # no answer from host
    "4.2": "networkerror",     # bad connection
    "4.3": "systemerror",      # directory server failure
    "4.4": "hostunknown",      # unable to route
    "4.5": "toomanyconn",      # mail system congestion
    "4.6": "networkerror",     # routing loop detected
    "4.7": "expired",          # delivery time expired
    "5.0": "syntaxerror",
    "5.1": "syntaxerror",      # invalid command
    "5.2": "syntaxerror",      # syntax error
    "5.3": "exceedlimit",      # too many recipients
    "5.4": "syntaxerror",      # invalid command arguments
    "5.5": "syntaxerror",      # wrong protocol version
    "5.6": "syntaxerror",      # authentication exchange line too long
    "6.0": "contenterror",
    "6.1": "contenterror",     # media not supported
    "6.2": "contenterror",     # conversion required and prohibited
    "6.3": "contenterror",
    "6.4": "contenterror",
    "6.5": "contenterror",
    "6.6": "contenterror",
    "6.7": "contenterror",
    "6.8": "contenterror",
    "6.9": "contenterror",
    "6.10": "contenterror",
    "7.0": "securityerror",
    "7.1": "securityerror",    # delivery not authorized, message refused (Sisimai: securityerror)
    "7.2": "securityerror",    # mailing list expansion prohibited
    "7.3": "securityerror",    # security conversion required
    "7.4": "securityerror",    # security features not supported
    "7.5": "securityerror",    # cryptographic failure
    "7.6": "securityerror",    # cryptographic algorithm not supported
    "7.7": "securityerror",    # message integrity failure
    "7.8": "authfailure",      # authentication credentials invalid (RFC 4954)
    "7.9": "securityerror",    # authentication mechanism is too weak
    "7.10": "securityerror",   # encryption needed
    "7.11": "securityerror",   # encryption required for requested auth mechanism
    "7.12": "securityerror",   # a password transition is needed
    "7.13": "suspend",         # user account disabled (RFC 5248)
    "7.14": "securityerror",   # trust relationship required
    "7.15": "securityerror",   # priority level is too low (RFC 6710)
    "7.16": "mesgtoobig",      # message too big for specified priority
    "7.17": "hasmoved",        # mailbox owner has changed (RFC 7293)
    "7.18": "hasmoved",        # domain owner has changed (RFC 7293)
    "7.19": "securityerror",   # RRVS test cannot be completed
    "7.20": "authfailure",     # no passing DKIM signature found (RFC 7372)
    "7.21": "authfailure",     # no acceptable DKIM signature found
    "7.22": "authfailure",     # no valid author-matched DKIM signature
    "7.23": "authfailure",     # SPF validation failed
    "7.24": "authfailure",     # SPF validation error
    "7.25": "requireptr",      # reverse DNS validation failed
    "7.26": "authfailure",     # multiple authentication checks failed
    "7.27": "notaccept",       # sender address has null MX (RFC 7505)
    "7.28": "spamdetected",    # mail flood detected (RFC 8689 era registry)
    "7.29": "securityerror",   # arc validation failure
    "7.30": "securityerror",   # REQUIRETLS support required (RFC 8689)
}
# Class-specific overrides: the temporary form of a subject means something else.
STATUS_REASON_CLASS: dict[str, str] = {
    "4.1.1": "userunknown",
    "4.2.1": "speeding",       # temporary: too many messages to this mailbox now
    "4.2.2": "mailboxfull",
    "4.3.2": "systemerror",
    "4.4.1": "expired",        # no answer from host, given up later
    "4.4.2": "networkerror",
    "4.4.7": "expired",
    "4.7.0": "blocked",        # temporary authentication / policy failure
    "5.7.0": "securityerror",  # other or undefined security status (Sisimai's default for X.7)
    "4.7.1": "blocked",
    "5.1.0": "rejected",
    "5.2.0": "filtered",
    "5.2.1": "filtered",
    "5.2.4": "filtered",
    "5.3.0": "systemerror",
    "5.4.0": "networkerror",
    "5.4.1": "rejected",       # Microsoft: recipient rejected by directory-based edge blocking
}

# Statuses that say nothing specific: leave the decision to text or reply code.
_GENERIC_STATUS = frozenset({"0.0", "1.0", "2.0", "3.0", "4.0", "5.0", "7.0", "0.900", "0.910"})

# ---------------------------------------------------------------------------
# Phrasing families, in the order they are tried (specific before general).
# Each entry: (reason, compiled pattern).  Patterns run on lower-cased text.
# ---------------------------------------------------------------------------
_P: list[tuple[str, str]] = [
    # Unambiguous full-mailbox and disabled-mailbox wordings, whatever else
    # the reply says ("recipient rejected: ...", "mail file size ...").
    ("mailboxfull", r"exceeding receiving limits|boite du destinataire pleine|does not have enough space|"
                    r"mail file size exceeds the maximum size allowed for mail delivery|"
                    r"would exceed maximum allowed storage|space has been used up|too many messages on the server"),
    ("suspend", r"boite du destinataire archivee|mailbox unavailable or access denied"),
    ("virusdetected", r"potentially executable attachment"),
    ("notaccept", r"no mx record found for domain|smtp protocol returned a permanent error"),
    ("contenterror", r"header size exceeds maximum permitted|header size, or recipient list, exceeds|"
                     r"mime complexity exceeds|too many received: headers|invalid mime headers|"
                     r"improperly-formatted binary content|unnecessary base64 encoding|8-bit data in message header"),
    ("mailererror", r"procmail|mailer error|unknown mailer|mailer exited|command died|program exited|x-unix;|"
                    r"command not found|pipe to |\bexit (?:code|status)"),
    ("notcompliantrfc", r"not rfc ?\d{3,4} compliant|not (?:rfc|standards?)[ -]?complian|rfc ?(?:2822|5322|822) (?:compliance|violation)|"
                        r"multiple addresses in from|multiple (?:subject|from|to|date|message-id|sender|cc) headers|"
                        r"bare lf|must not contain (?:more than one|multiple)"),
    ("contenterror", r"duplicate header|header (?:syntax|is malformed)|malformed (?:header|mime)"),
    # SMTP AUTH / TLS / Amazon SES account refusals (Sisimai SecurityError).
    ("securityerror", r"account not subscribed to ses|authentication credentials invalid|"
                      r"authentication turned on in your email client|executable files are not allowed|"
                      r"you don't authenticate|tls required but not supported|\bverification failure|"
                      r"not authorized to send mail, authentication is required|authentication failed; server|"
                      r"is a dead domain|not authorized to perform ses:|authentification (?:requise|invalide)|"
                      r"code d'? ?authentification"),
    ("authfailure", r"spf\.pobox\.com|inspect your spf settings|dmarc|spf (?:check|fail|valid|record|soft)|\bspf\b.{0,40}\bfail|sender policy framework|dkim|"
                    r"domainkey|authentication (?:check|fail)|unauthenticated email|not pass authentication|"
                    r"fails? to pass authentication|does not have authentication information|"
                    r"does not (?:meet|pass) (?:the )?(?:required )?authentication|sender domain has failed authentication|"
                    r"failed (?:the )?(?:spf|dkim|sender authentication)"),
    ("requireptr", r"forward dns entry does not point to the sending ip|reverse dns|reverse (?:lookup|record|resolution)|\bptr\b|rdns|no reverse|"
                   r"cannot find your hostname|client host .{0,80} not resolve|unverifi?(?:y)?able sending ip|"
                   r"(?:hostname|host name) (?:does not|doesn't) resolve|not resolve to your address|"
                   r"cannot resolve your (?:address|hostname)|connections from unresolv|"
                   r"have a valid (?:reverse|ptr)|fcrdns|forward.confirmed|ip name lookup failed|"
                   r"(?:ip|address) (?:has )?no (?:reverse|dns name)|hostname lookup failed"),
    ("blocked", r"refused to talk to me|not accepting connections|smtp server of your isp|client host (?:rejected|blocked)|"
                r"confirm this mail server|connection was dropped by remote host|mismatches client ip|"
                r"no access from mail server|looks suspiciously like spammer|unresolvable relay host name|"
                r"\bgo away\b|your server requires confirmation|rejecting open proxy|"
                r"connection reset by peer|connection dropped|"
                # the sending IP (or its range) itself is refused: Microsoft 365 5.7.606-649/5.7.7xx
                r"(?:traffic|mail|messages?|connections?) (?:is |are )?not accepted from (?:this|your|the sending) ip|"
                r"banned sending ip|sending ip (?:address )?(?:is |has been )?(?:banned|blocked|refused)"),
    ("rejected", r"sender address rejected|sender (?:address|domain) (?:is )?(?:invalid|does not exist|not found)|"
                 r"domain of sender address|provide a valid from|from: domain is invalid|sender verify failed|"
                 r"but sender was rejected|purported responsible address|is not a registered gateway user|mail from not owned by user|"
                 r"sender is spammer|sender not pre-approved|empty envelope senders? not allowed|null sender is not allowed|"
                 r"bogus mail from|unroutable sender address|batv (?:failed|validation)|"
                 r"administrative prohibition|backscatter protection|bouncedeny|delivery not authorized, message refused|"
                 r"\be2110\b|emetteur invalide|no third-party dsns|fully qualified email address required|"
                 r"invalid domain, see <url:|batv: no tag|rejected by batv|returned mail not accepted here|"
                 r"rule imposed mailbox access|sender (?:email address )?rejected|sender domain is empty|"
                 r"syntax error: empty email address|unsigned dsn|sending to/from an address that has been blacklisted"),
    ("filtered", r"only accepting mail from specific|\bbounced address|due to extended inactivity new mail is not|"
                 r"restricted sms e-?mail|is not accepting any mail|refused due to recipient preferences|"
                 r"resolver\.rst\.notauthorized|this account is protected by|\buser reject|refuse to receive mail|"
                 r"you have been blocked by the recipient"),
    # Spam-filter refusals whose words would otherwise read as a virus,
    # content, block or filter verdict (Sisimai's SpamDetected wordings).
    ("spamdetected", r"\breject, id=|appears to be unsolicited|blacklisted url|content filter rejection|mail content denied|"
                     r"considered as spam or virus|contains spam or virus|\bmessage filtered\b|"
                     r"spamprofiler|unacceptable content|possible spam/virus|reject bulk\.|banned content|"
                     r"rejecting mail content|spamming not allowed|recurrent pattern detection|\buribl\b|"
                     r"temporarily blocked by our filter|antispam checks|greylisted.{0,40}try again in|"
                     r"sender domain listed at"),
    ("virusdetected", r"virus|malware|infected|trojan|worm detected|dangerous attachment|harmful content"),
    ("policyviolation", r"blocked because its content|content presents a potential|violates? (?:our|the) (?:\w+ )?polic|"
                        r"\bheader error|denied by policy|(?:rejected|not accepted) for policy reasons|"
                        r"rejected due to local policy|local policy violation|header are not accepted|"
                        r"closed mailing list|members-only list|due to organizational settings|"
                        r"rejected by organization policy|message given low priority|using a mass mailer|"
                        r"illegal attachment|not accepting mail with "),
    ("badreputation", r"reputation|unexpected volume or user complaints|user complaints|poor sender|low (?:sender )?score|sender score|senderscore|"
                      r"our system has detected an unusual rate|unusual rate of"),
    ("spamdetected", r"\bspam\b|spamassassin|junk mail|considered as? (?:unsolicited|bulk)|\bube\b|"
                     r"unsolicited (?:bulk|commercial|mail)|bulk (?:mail|e-?mail)|message (?:looks|appears) (?:like|to be) spam|"
                     r"content (?:filter|scanner) (?:rejected|flagged)|classified as (?:spam|junk)|"
                     r"spam score|high probability of being|suspicious (?:content|message)"),
    # Amazon SES / hosted senders' throttling notices are connection limits.
    ("toomanyconn", r"throttling failure|max emails per hour"),
    ("speeding", r"too many recipients (?:this|per|in the last|in this) |"
                 r"too many (?:messages|emails|mails) (?:in|per|from|sent|for|this)|"
                 r"sending (?:rate|too fast)|exceeded .{0,30}(?:sending|message) (?:rate|limit)|"
                 r"receiving mail at a rate|rate that prevents|slow down"),
    ("toomanyconn", r"max emails per hour|throttling failure|trop de connexions|numerous attempts to deliver this message|"
                    r"maximum connection limit|per-domain connection limit|"
                    r"too many (?:connections|concurrent|sessions|simultaneous|smtp sessions|hosts|recipients)|"
                    r"connection (?:limit|rate limit)|concurrency limit|maximum (?:number of )?connections|"
                    r"frequency limited|too many errors|too many (?:invalid|bad) recipients"),
    ("speeding", r"rate limit|ratelimit|throttl"),
    # MailEnable: authentication is required *to relay* to a non-local address.
    ("norelaying", r"send to a non-local e-?mail address"),
    ("securityerror", r"unauthenticated senders?|authentication required|must authenticate|not authenticated|"
                      r"requires? authentication"),
    ("norelaying", r"relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed)|prohibited)|"
                   r"not (?:permitted|allowed|authorized|configured) to relay|unable to relay|cannot relay|can't relay|"
                   r"we do not relay|no relaying|relay not permitted|not a gateway|insecure mail relay|"
                   r"email address is not verified|is not in my list of allowed rcpthosts|rcpthosts|not local host"),
    ("systemfull", r"system (?:is )?full|insufficient (?:disk space|system storage)|no space left|"
                   r"mail system full|too many (?:files|messages) (?:in|on) (?:queue|disk)"),
    ("mailboxfull", r"mailbox (?:is )?(?:full|over|exceeded)|quota|over ?quota|out of (?:disk )?space|"
                    r"full mailbox|mail ?box full|mailbox (?:size )?limit|storage (?:limit|full|exceeded)|"
                    r"insufficient (?:disk )?(?:space|storage)|exceeded (?:storage|their|the) (?:allocation|storage|quota)|"
                    r"recipient.{0,20}(?:mailbox|account) is full|user(?:'s)? (?:mailbox|disk|storage) (?:is )?full|"
                    r"not enough (?:space|storage)|disk full|mail ?box (?:has )?exceeded|exceeds? (?:the )?mailbox|"
                    r"mailbox exceeds|exceeds allowed size|too much mail|inbox (?:is )?full|account is full|"
                    r"mailfolder is full|user has exceeded|message would exceed|maildir over|full (?:for|in) this"),
    # Routing and loop failures (Sisimai NetworkError wordings).
    ("networkerror", r"dns records for the destination computer could not be found|forwarding loop|message looping|"
                     r"unable to resolve route|unrouteable mail domain|routing loop"),
    ("hostunknown", r"host or domain name not found|unrouteable address|domain must exist|"
                    r"mail domain mentioned in email address is unknown|account or domain may not exist|"
                    r"\bhost (?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}\.? not found(?!,? try again)|"
                    r"(?<![@\w.-])(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24} does not exist"),
    # The receiving system's own failures (Sisimai SystemError wordings),
    # before the loop / timeout words of the network and expiry families.
    ("systemerror", r"forwarding loop broken|can't create user output file|could not load drd|interrupted system call|"
                    r"error while being processed|would create a mail loop|loop was found in the mail exchanger|"
                    r"loops back to myself|queue file write error|there is no mdb|system config error|"
                    r"timeout waiting for input"),
    ("networkerror", r"not found, try again|name service error|host name lookup failure|name server reply|"
                     r"network error|dns lookup failure|temporary failure in name resolution"),
    ("expired", r"message expired|retry timeout exceeded|retry time|delivery time expired|has been delayed|"
                r"will be retried|timed out|time-out|timeout|not (?:be )?delivered within|not been delivered for|"
                r"undelivered for|delivery attempts? (?:expired|exceeded)|maximum time|retry period|"
                r"was not reachable within|expired after|aborted after|failing for a long time|could not be delivered for|did not accept our requests to connect|"
                r"could not find a gateway for|not been collected after|server did not respond|"
                r"\bhost not reachable"),
    ("hostunknown", r"host or domain name not found|host not found|domain (?:not found|does not exist|doesn't exist|name not found|unknown)|"
                    r"unknown (?:domain|host)|no such (?:domain|host)|host unknown|unrouteable (?:mail )?domain|"
                    r"unroutable (?:address|domain)|name or service not known|nxdomain|"
                    r"recipient (?:domain|host) (?:not found|does not exist)|domain (?:is )?(?:invalid|not exist)|"
                    r"domain is not reachable|all relevant mx records point to non-existent hosts|"
                    r"not a (?:valid|known) domain|address does not exist in the dns"),
    ("networkerror", r"no route to host|host (?:is )?unreachable|malformed (?:or unexpected )?name server reply|name service error|"
                     r"lost connection|mail loop|routing loop|too many hops|hop count|loops back|"
                     r"(?:wasn't|was not|unable|not) (?:able )?to establish|could not connect|unable to connect|"
                     r"connection (?:reset|closed|dropped)|temporary failure in name"),
    ("hasmoved", r"has moved|address (?:has )?changed|no longer (?:at|with) this|moved to|new address|"
                 r"not (?:have|has) a forwarding|recipient has moved"),
    ("mesgtoobig", r"(?:message|mail|email|msg) (?:size )?(?:is )?(?:too (?:big|large|long)|exceeds|exceeded)|"
                   r"size (?:limit|exceeds|exceeded)|exceeds (?:the )?(?:maximum|max|size|message size)|"
                   r"message (?:length|size) (?:exceeds|limit)|too (?:big|large) for|larger than|"
                   r"maximum (?:message )?size|line too long|line limit exceeded|message file too big|"
                   r"maximum inbound message size"),
    ("exceedlimit", r"exceeded (?:the )?(?:message )?limit|message limit exceeded|recipient limit|exceeds? (?:recipient|the recipient)"),
    ("suspend", r"suspend|disabled|deactivated|inactive|not active|no longer active|frozen|temporar\w{0,3} locked|"
                r"account (?:is )?(?:locked|closed|expired|blocked)|"
                r"mailbox (?:is )?(?:disabled|inactive|locked|unavailable \(disabled|not active)|"
                r"has been (?:disabled|suspended|terminated|closed)|temporarily disabled|"
                r"(?<!resources )(?<!resource )(?<!service )(?<!server )(?<!system )temporarily unavailable|"
                r"(?:user|account|recipient) (?:is )?(?:on )?hold|expired account"),
    ("notaccept", r"no smtp service|no mx found|(?:couldn't|could not|cannot|can't) find (?:a |any )?mail exchanger|"
                  r"not accepting network messages|null mx|does not accept mail|accepts no mail|no mail service|"
                  r"doesn't accept mail"),
    ("userunknown", r"recipient address rejected: access denied|user unknown|unknown user|no such (?:user|mailbox|recipient|address|account|local user|person)|"
                    r"(?:user|recipient|mailbox|address|account) (?:does not|doesn't|did not) exist|"
                    r"(?:user|recipient|mailbox|address|account|addressee) (?:is )?(?:unknown|not found|not exist|invalid|not valid)|"
                    r"invalid (?:recipient|mailbox|user|address|account|final delivery user)|"
                    r"unknown (?:recipient|mailbox|local|account)|(?<!- )unknown address(?! error)|"
                    r"(?:mailbox|recipient|user|address) (?:name )?(?:is )?(?:not|un)available|"
                    r"not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)|"
                    r"bad (?:destination mailbox|recipient|address)|"
                    r"(?:no|not) (?:mailbox|account) (?:here|by that name|found)|does not have an account|"
                    r"unknown or illegal alias|mailbox not found|user not found|not listed in|"
                    r"undeliverable address|addressee unknown|"
                    r"(?:recipient|user|address) (?:is )?not (?:local|here|known|recognized|on this server)|"
                    r"no valid recipients|doesn't have an? .{0,40} account|dosn't exist|couldn't be found|"
                    r"is not a valid mailbox|mailbox unavailable|requested action not taken: mailbox|"
                    r"that you tried to reach does not exist|recipient not found|not our customer|is not (?:a )?known user|"
                    r"vdeliver: invalid|destinataire invalide|adresse invalide|unbekannt|リストにありません|存在しません|"
                    # more wordings of the same fact (qmail, Exchange, Courier, MDaemon, Italian/Spanish/French servers)
                    r"not present in (?:the )?directory|mailbox not present|can't accept user|does not exist\b|"
                    r"destination addresses were unknown|destination server rejected recipients|"
                    r"e-?mail (?:address|name) (?:could not be|is not) found|not an active address|"
                    r"no mail ?box (?:available|by that name)|nessun utente|no existe (?:dicha persona|ese usuario)|"
                    r"utilisateur inconnu|account unavailable|not a local address|not email addresses|"
                    r"recipient address rejected: (?:invalid|user ?unknown)|recipient (?:is not accepted|not ok)|"
                    r"recipient refuses to accept your mail|resolver\.adr\.recip\w{0,6} ?not ?found|"
                    r"badrcptto|badrecipientto|validrcptto|envelope recipient (?:has been denied|is in my)|"
                    r"following recipients was undeliverable|no one at this address|no longer accepts mail|"
                    r"wrong or no longer valid|spectator does not exist|missing home directory|"
                    r"> not found|in name directory|non-?existent user|user \(\S{1,64}\) unknown|"
                    r"unknown e-?mail address|unknown local[- ]?part|"
                    r"(?:user|recipient|mailbox|account) \S{1,64} (?:was not found|does not exist|unknown)|"
                    r"mailbox \S{1,64} unavailable or access denied"),
    ("blocked", r"blocked|blacklist|block ?list|denylist|listed (?:in|on|at|by)|\bdnsbl\b|\brbl\b|spamhaus|spamcop|"
                r"barracuda|sorbs|\bbanned\b|connection (?:rejected|refused|not accepted)|not accepting connections|"
                r"client host rejected|your (?:ip|host|server|network)|not allowed to send|invalid ip|open relay|"
                r"\bhelo\b|\behlo\b|hostname|invalid domain name|smtp server of your isp|"
                r"\bip(?: address)? (?:is |has been )?(?:listed|rejected|not allowed)|dynamic ip|dial-?up|residential"),
]

# Generic words of a reason (any "policy", any "content", any
# "authentication" ...): consulted after the enhanced status code, so that a
# status that names the condition (RFC 3463 X.7.0 security, X.6.x media ...)
# is not overridden by a passing word (Sisimai decides by the status there).
_G: list[tuple[str, str]] = [
    ("policyviolation", r"policy|prohibited|not allowed|administratively|against .{0,20} rules|violat|local policy"),
    ("contenterror", r"content|\bheaders?\b|\bmime\b|encoding|8bit|attachment|illegal character|malformed|media error"),
    ("syntaxerror", r"syntax error|command unrecognized|unrecognized command|bad sequence|command not (?:implemented|recognized)|"
                    r"parameter not|invalid command|unknown command|out of sequence"),
    ("securityerror", r"authenticat|starttls|tls required|encryption required|certificate|must (?:use|issue) starttls|"
                      r"\bssl\b|insecure|credentials|password"),
    ("systemerror", r"system error|internal (?:server )?error|temporary (?:server|system|local) (?:error|problem|failure)|"
                    r"server (?:error|failure)|configuration error|misconfigur|local error|\bldap\b|"
                    r"service (?:currently |temporarily )?(?:not available|unavailable)|transaction failed|"
                    r"resources temporarily|local delivery failed"),
]

# Weak phrasing, consulted only when neither a strong phrase nor a specific
# enhanced status code decided (boilerplate like qmail's "in the queue too
# long" trailer, or a bare "rejected").
_W: list[tuple[str, str]] = [
    ("expired", r"too long|giving up|given up|gave up|expired|delayed|could not be delivered for"),
    ("networkerror", r"network|unreachable|dns (?:lookup|error|failure)|connection refused|refused (?:the )?connection"),
    # "Service refused" with nothing more: the receiver turned this client away (Orange and La Poste
    # use it for their block codes 103, 510 and 999).
    ("blocked", r"service refused|service refus[ée]\b"),
    ("rejected", r"sender (?:address )?rejected|sender (?:is )?(?:denied|refused|blocked|invalid|unknown)|"
                 r"(?:mail from|envelope sender|return address|from address) .{0,40}(?:rejected|refused|invalid|not accepted)|"
                 r"domain of sender|sender domain|sender verify|verification failed|invalid sender|"
                 r"your address|your email address|not accepting mail from|rejected|reject"),
    ("filtered", r"filter|not authorized to receive|does not accept mail from|unable to accept|"
                 r"recipient (?:does not|doesn't) accept|only accept|accept mail only|"
                 r"permission to post|not permitted to post|you don't have permission|blocked by recipient"),
    ("systemerror", r"unable to (?:deliver|process)"),
]

# What _split_alternatives must look at: an escape, the start of a class, a
# group bracket or a bar; everything between them is copied as it is.
_SPLIT_TOKEN = re.compile(r"\\.|[\[()|]", re.S)


def _split_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|`` (escapes and character classes
    are skipped; a class may start with ``]``)."""
    alts: list[str] = []
    depth = 0
    start = pos = 0
    search = _SPLIT_TOKEN.search
    while True:
        m = search(pattern, pos)
        if m is None:
            break
        tok = m.group()
        pos = m.end()
        if tok == "[":
            pos = pattern.index("]", m.start() + 2) + 1
        elif tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok == "|" and depth == 0:
            alts.append(pattern[start:m.start()])
            start = pos
    alts.append(pattern[start:])
    return alts


# The characters _alt_triggers treats specially; all others extend a literal run.
_TRIGGER_SYNTAX = re.compile(r"[\\\[(?*{+.^$)]")


def _alt_triggers(alt: str) -> tuple[str, ...] | None:
    """Strings of which one must occur for the regex ``alt`` (no top-level
    ``|``) to match, or None when none can be derived."""
    candidates: list[tuple[str, ...]] = []
    run = ""
    i = 0
    n = len(alt)

    def flush(r: str) -> None:
        if len(r) >= 3:
            candidates.append((r,))

    while i < n:
        m = _TRIGGER_SYNTAX.search(alt, i)
        j = n if m is None else m.start()
        if j > i:  # a run of literal characters: taken whole
            run += alt[i:j]
            i = j
            continue
        ch = alt[i]
        if ch == "\\":
            flush(run)
            run = ""
            i += 2
            if i < n and alt[i] in "?*":
                i += 1
            elif i < n and alt[i] == "{":
                i = alt.index("}", i) + 1
            continue
        if ch == "[":
            flush(run)
            run = ""
            i = alt.index("]", i + 2) + 1
            continue
        if ch == "(":
            flush(run)
            run = ""
            depth = 1
            j = i + 1
            while j < n and depth:
                if alt[j] == "\\":
                    j += 2
                    continue
                if alt[j] == "[":
                    j = alt.index("]", j + 2) + 1
                    continue
                if alt[j] == "(":
                    depth += 1
                elif alt[j] == ")":
                    depth -= 1
                j += 1
            inner = alt[i + 1:j - 1]
            if inner.startswith("?:"):
                inner = inner[2:]
            optional = j < n and alt[j] in "?*" or alt[j:j + 3] in ("{0,",)
            if not optional and not inner.startswith(("?=", "?!", "?<")):
                subs = [_alt_triggers(a) for a in _split_alternatives(inner)]
                if all(subs):
                    candidates.append(tuple(t for sub in subs for t in sub))  # type: ignore[union-attr]
            i = j
            continue
        if ch in "?*{":
            run = run[:-1]
            flush(run)
            run = ""
            if ch == "{":
                i = alt.index("}", i) + 1
                continue
            i += 1
            continue
        if ch in "+.^$)":
            flush(run)
            run = ""
            i += 1
            continue
        run += ch
        i += 1
    flush(run)
    if not candidates:
        return None
    # Prefer the candidate whose shortest string is longest (fewest false hits).
    return max(candidates, key=lambda c: (min(len(t) for t in c), -len(c)))


def _literal_triggers(pattern: str) -> tuple[str, ...] | None:
    """Return substrings of which at least one must occur for ``pattern`` to
    match, or None when some alternative yields none.  Used as a cheap ``in``
    test before running the regex: Python's engine has no multi-literal
    search, and most texts match few families.
    """
    out: list[str] = []
    for alt in _split_alternatives(pattern):
        t = _alt_triggers(alt)
        if t is None:
            return None
        out.extend(t)
    return _minimal_triggers(out)


def _minimal_triggers(triggers: list[str]) -> tuple[str, ...]:
    """Drop every trigger that contains a shorter one of the same list: where
    it occurs, the shorter one occurs too, so it adds nothing to the test."""
    kept: list[str] = []
    for t in sorted(dict.fromkeys(triggers), key=len):
        if not any(k in t for k in kept):
            kept.append(t)
    return tuple(kept)


_REGEX_SYNTAX = frozenset("\\.^$*+?{}[]|()")

# Escapes that stand for one literal character.
_LITERAL_ESCAPES = frozenset(".-'\"/:@#&%,;=!<>()[]{}?*+|^$ \\")


def _expand_literals(alt: str, limit: int = 48) -> tuple[str, ...] | None:
    """The finite set of strings the regex ``alt`` matches, when it is made
    only of literal characters (and escaped punctuation), groups with ``|``
    and ``?`` after a character or group - e.g. ``spf (?:check|fail)s?`` ->
    ("spf check", "spf checks", "spf fail", "spf fails"); None for any other
    syntax (classes, ``.``, ``\\b``, repetition, assertions) or more than
    ``limit`` strings.  Searching for any of them with ``in`` gives the same
    verdict as ``re.search(alt, text)`` without compiling anything."""

    def seq(i: int, stop: str) -> tuple[list[str], int] | None:
        # A sequence of atoms up to ``stop`` ("|", ")" or end); returns its strings.
        out = [""]
        n = len(alt)
        while i < n and alt[i] not in stop:
            ch = alt[i]
            if ch == "(":
                j = i + 1
                if alt.startswith("?:", j):
                    j += 2
                elif alt.startswith("?", j):
                    return None  # lookaround, named group, flags
                opts: list[str] = []
                while True:
                    sub = seq(j, "|)")
                    if sub is None:
                        return None
                    strs, j = sub
                    opts.extend(strs)
                    if j >= n:
                        return None
                    if alt[j] == ")":
                        j += 1
                        break
                    j += 1  # past "|"
                i = j
            elif ch == "\\":
                if i + 1 >= n or alt[i + 1] not in _LITERAL_ESCAPES:
                    return None
                opts = [alt[i + 1]]
                i += 2
            elif ch in "[].^$*+{}":
                return None
            elif ch in "?)|":
                return None
            else:
                opts = [ch]
                i += 1
            if i < n and alt[i] == "?":
                opts = opts + [""]
                i += 1
            if i < n and alt[i] in "*+{":
                return None
            out = [a + b for a in out for b in opts]
            if len(out) > limit:
                return None
        return out, i

    res = seq(0, "")
    if res is None or res[1] != len(alt):
        return None
    strs = tuple(dict.fromkeys(res[0]))
    if not strs or "" in strs:
        return None
    return strs


def _prepare_alternative(alt: str) -> tuple[str, ...] | re.Pattern[str]:
    """How one alternative is searched, decided on its first use: the fixed
    strings it stands for (searched with ``in``: same verdict as
    ``re.search``, nothing to compile) or else the compiled pattern."""
    if not _REGEX_SYNTAX.intersection(alt):
        return (alt,)
    strs = _expand_literals(alt)
    return strs if strs is not None else re.compile(alt)


class _Family:
    """One phrasing family: reason, pattern, literal triggers.

    Each top-level alternative of the pattern is prepared on its own (on
    first use: the fixed strings it stands for, else compiled, see
    :func:`_prepare_alternative`) and run only when one of its own triggers
    occurs in the text: a large alternation scanned position by position is
    the costly part of Python's engine, one small alternative is cheap.
    """

    __slots__ = ("reason", "source", "triggers", "_pat", "_by_trigger", "_alts", "_keys")

    def __init__(self, reason: str, source: str) -> None:
        self.reason = reason
        self.source = source
        self._pat: re.Pattern[str] | None = None
        self._by_trigger: dict[str, list[int]] | None = None
        self._keys: frozenset[str] = frozenset()
        alts = _split_alternatives(source)

        per_alt = [_alt_triggers(a) for a in alts]
        if not all(per_alt):
            self.triggers: tuple[str, ...] | None = None
            self._alts: list[str | tuple[str, ...] | re.Pattern[str]] = []
            return
        self.triggers = _minimal_triggers([t for trig in per_alt for t in trig])  # type: ignore[union-attr]
        self._alts = list(alts)
        by: dict[str, list[int]] = {}
        kept = self.triggers
        for i, trig in enumerate(per_alt):
            for t in trig:  # type: ignore[union-attr]
                # an alternative's trigger is implied by a kept (shorter)
                # family trigger that it contains
                key = t if t in kept else next(k for k in kept if k in t)
                lst = by.setdefault(key, [])
                if i not in lst:
                    lst.append(i)
        self._by_trigger = by
        self._keys = frozenset(by)

    def search(self, low: str, present: set[str] | frozenset[str] | None = None) -> bool:
        """True when the family's pattern matches ``low`` (lower-cased text).

        ``present``: the set of triggers (of all families) that occur in
        ``low``, from :func:`_present_triggers`; when given, the family reads
        it instead of testing each of its own triggers.  The verdict is the
        same either way: a plain ``re.search`` with the whole pattern.
        """
        by = self._by_trigger
        if by is not None:
            if present is None:
                hits = [t for t in by if t in low]
            else:
                hits = self._keys & present
                if not hits:
                    return False
            tried: set[int] = set()
            for t in hits:
                for i in by[t]:
                    if i in tried:
                        continue
                    tried.add(i)
                    alt = self._alts[i]
                    if isinstance(alt, str):
                        alt = self._alts[i] = _prepare_alternative(alt)
                    if isinstance(alt, tuple):
                        for lit in alt:
                            if lit in low:
                                return True
                    elif alt.search(low) is not None:
                        return True
            return False
        if self.triggers is not None and not any(t in low for t in self.triggers):
            return False
        if self._pat is None:
            self._pat = re.compile(self.source)
        return self._pat.search(low) is not None


def _compile(families: list[tuple[str, str]]) -> list[_Family]:
    return [_Family(r, p) for r, p in families]


_PATTERNS = _compile(_P)
_WEAK = _compile(_W)
_GENERIC = _compile(_G)


def _trigger_index(families: list[_Family]) -> tuple[dict[str, tuple[str, ...]], frozenset[str], tuple[str, ...]]:
    """Index the literal triggers of ``families`` by their first three
    characters: returns ``(index, index keys, short triggers)`` where short
    triggers (under three characters, none at present) are tested directly."""
    by_gram: dict[str, list[str]] = {}
    short: list[str] = []
    for fam in families:
        for t in fam.triggers or ():
            if len(t) < 3:
                short.append(t)
            else:
                lst = by_gram.setdefault(t[:3], [])
                if t not in lst:
                    lst.append(t)
    index = {g: tuple(ts) for g, ts in by_gram.items()}
    return index, frozenset(index), tuple(dict.fromkeys(short))


# Triggers of the families that classify() runs on the normalised text.
_TRIGGERS, _TRIGGER_GRAMS, _SHORT_TRIGGERS = _trigger_index(_PATTERNS + _WEAK + _GENERIC)


def _present_triggers(low: str) -> set[str]:
    """The triggers of :data:`_PATTERNS`, :data:`_WEAK` and :data:`_GENERIC`
    that occur in ``low``, found in one pass: the set of the text's
    three-character substrings picks the candidate triggers (every trigger
    starts with one of them), then each candidate is confirmed with ``in``.
    Cost: linear in ``len(low)``, instead of one substring test per trigger
    and family."""
    grams = set(map("".join, zip(low, low[1:], low[2:])))  # every 3-character substring
    found = {t for g in grams & _TRIGGER_GRAMS for t in _TRIGGERS[g] if t in low}
    for t in _SHORT_TRIGGERS:
        if t in low:
            found.add(t)
    return found


class _FamilyIndex:
    """An ordered list of phrasing families with a map from each literal
    trigger to the families that use it, so that only the families whose
    triggers occur in a text are searched (in list order), plus those
    without triggers."""

    __slots__ = ("families", "by_trigger", "keys", "ungated")

    def __init__(self, families: list[_Family]) -> None:
        self.families = families
        by: dict[str, list[int]] = {}
        for i, fam in enumerate(families):
            for t in fam._keys:
                by.setdefault(t, []).append(i)
        self.by_trigger = {t: tuple(v) for t, v in by.items()}
        self.keys = frozenset(by)
        self.ungated = frozenset(i for i, fam in enumerate(families) if fam._by_trigger is None)

    def first(self, low: str, present: set[str] | frozenset[str]) -> str | None:
        """The reason of the first family (in list order) that matches
        ``low``, whose present triggers are ``present``; None when none does."""
        cand = set(self.ungated)
        for t in self.keys & present:
            cand.update(self.by_trigger[t])
        fams = self.families
        for i in sorted(cand):
            if fams[i].search(low, present):
                return fams[i].reason
        return None


_PATTERNS_INDEX = _FamilyIndex(_PATTERNS)
_WEAK_INDEX = _FamilyIndex(_WEAK)
_GENERIC_INDEX = _FamilyIndex(_GENERIC)


# Code tokens inside a reply ("550-5.7.1 " continuation prefixes, "550 5.1.1")
# are removed before phrase matching: codes are judged separately.
_CODE_TOKENS = re.compile(r"(?<![\w.])[245]\d\d(?:[ -]#?[245]\.\d{1,3}\.\d{1,3}|-)(?!\.?\d)|(?<![\w.])#?[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)")

_STATUS_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$")


def is_hard(reason: str | None, reply_code: str | None = None, enhanced: str | None = None) -> bool | None:
    """Return True for a hard bounce, False for soft, None when ``reason`` is None.

    Rule (Sisimai, https://libsisimai.org/en/reason/): ``userunknown``,
    ``hostunknown``, ``hasmoved`` and ``notaccept`` are hard (a domain that
    accepts no mail will not start to, even when the MTA reported it with a
    temporary code); everything else is soft.  The codes are accepted for
    callers' convenience and do not change the answer.
    """
    if reason is None:
        return None
    return reason in HARD_REASONS


def _status_reason(enhanced: str | None) -> str | None:
    if not enhanced:
        return None
    m = _STATUS_RE.match(enhanced)
    if not m:
        return None
    cls, subj, det = m.groups()
    key = f"{subj}.{det}"
    if key in _GENERIC_STATUS:
        return STATUS_REASON_CLASS.get(enhanced)
    if enhanced in STATUS_REASON_CLASS:
        return STATUS_REASON_CLASS[enhanced]
    return STATUS_REASON.get(key)


def _norm(text: str) -> str:
    low = _CODE_TOKENS.sub(" ", text[:4000].lower())
    # Postfix's own queue state, not the remote reply.
    low = low.replace("delivery temporarily suspended", " ")
    return " ".join(low.split())


def text_reason(text: str, weak: bool = False) -> str | None:
    """Return the first reason whose phrasing family matches ``text``, or None.

    ``text``: diagnostic text of any length (only the first 4,000 characters
    are read; code tokens and line breaks are removed first).  Families are
    tried in the order of ``_P`` (specific first); with ``weak=True`` the weak
    families ``_W`` are tried instead.
    """
    if not text:
        return None
    low = _norm(text)
    if weak:
        return _weak_reason(low, None)
    return _PATTERNS_INDEX.first(low, _present_triggers(low))


def _weak_reason(low: str, present: set[str] | None) -> str | None:
    """The weak families' verdict on normalised text ``low``; ``present``
    (its triggers, when already known) is reused when the text is unchanged."""
    if "recipient address rejected" in low:
        # Sisimai's "rejected" excludes a refused *recipient* address.
        low = low.replace("recipient address rejected", " ")
        present = None
    return _WEAK_INDEX.first(low, _present_triggers(low) if present is None else present)


_SPECIFIC_OVER_TEXT = frozenset({"1.6", "2.2", "2.3", "4.6", "7.20", "7.21", "7.22", "7.23", "7.24", "7.26"})


def classify(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    command: str | None = None,
    action: str | None = None,
) -> tuple[str | None, bool | None]:
    """Classify one failure: return ``(reason, hard_bounce)``.

    Inputs: ``reply_code`` an RFC 5321 reply code ("550") or None;
    ``enhanced`` an RFC 3463 enhanced status code ("5.1.1") or None; ``text``
    the diagnostic text (may be empty); ``command`` the SMTP command answered
    ("RCPT", "DATA", "MAIL", "HELO"/"EHLO", "CONN") or None; ``action`` the
    RFC 3464 Action value or None.  Output: a Sisimai reason
    (https://libsisimai.org/en/reason/) and the hard-bounce flag from
    :func:`is_hard`; ``(None, None)`` when nothing indicates a failure.
    Never raises on odd input.
    """
    act = (action or "").strip().lower()
    if act in ("delivered", "relayed", "expanded"):
        return "delivered", False
    enh = enhanced.strip() if enhanced else None
    rc = reply_code.strip() if reply_code else None
    if enh and enh.startswith("2.") and (not rc or rc.startswith("2")):
        return "delivered", False
    sr = _status_reason(enh)
    key = ".".join(enh.split(".")[1:]) if enh else ""
    # The text is normalised, and its triggers found, once for all family lists.
    low = _norm(text) if text else ""
    present = _present_triggers(low) if text else set()
    tr = _PATTERNS_INDEX.first(low, present) if text else None
    reason: str | None = None
    if sr and key in _SPECIFIC_OVER_TEXT:
        reason = sr
    elif tr:
        reason = tr
    elif sr:
        reason = sr
    if reason is None:
        reason = _GENERIC_INDEX.first(low, present) if low else None
    if reason is None and text:
        reason = _weak_reason(low, present)
    if reason is None and _norm_command(command) == "RCPT" and _BARE_RCPT_REFUSAL.search(low):
        # Postfix-style "Recipient address rejected." with no detail, at RCPT
        # TO: the address itself was refused (Sisimai: userunknown).
        reason = "userunknown"
    if reason is None and rc in _SYNTAX_REPLIES:
        # RFC 5321 §4.2.1: 50z replies are about the command's syntax or sequence, whatever the text.
        reason = "syntaxerror"
    if reason is None and rc and rc[0] in "45" \
            and _norm_command(command) not in ("MAIL", "HELO", "EHLO", "CONN") and _has_words(text):
        # A server reply whose words match no family: Sisimai's "onhold"
        # (the reason cannot be decided; nothing says the address is bad).
        reason = "onhold"
    if reason is None:
        reason = _command_reason(rc, enh, command, act)
    cmd = _norm_command(command)
    low_raw = " ".join((text or "")[:4000].split()).lower()  # folded lines (RFC 5322 §2.2.3) unfolded
    if reason == "userunknown" and not _ASSERTED_UNKNOWN.search(low_raw):
        reason = _unknown_or_filtered(enh, cmd)
    if act == "delayed" and reason == "expired" and not _EXPIRY_EVIDENCE.search(low_raw) \
            and _CONNECT_FAILURE.search(low_raw):
        # A deferral (Postfix status=deferred, DSN Action: delayed, a delay warning) because the
        # host could not be reached is a network problem being retried; the message has not
        # expired yet (a Status of X.4.7 in a delay warning only says the warning time passed).
        reason = "networkerror"
    prov = provider_reason(low_raw)
    if prov is not None:
        if cmd == "MAIL" and prov in ("badreputation", "userunknown", "filtered"):
            prov = "rejected"  # refused at MAIL FROM: the sender, whatever the cause
        return prov, is_hard(prov, rc, enh)
    if cmd == "MAIL" and (reason in ("userunknown", "hostunknown", "filtered")
                          or (reason == "badreputation" and "reputation" not in (text or "").lower())):
        reason = "rejected"  # the envelope sender was refused, not the recipient
    if cmd == "MAIL" and "access denied" in (text or "")[:4000].lower() \
            and reason not in ("requireptr", "authfailure", "blocked", "badreputation"):
        reason = "rejected"  # access denied to the envelope sender
    if cmd in ("HELO", "EHLO", "CONN") and reason in ("rejected", "undefined", "mailboxfull", "userunknown",
                                                      "filtered", "suspend", "hasmoved"):
        # refused before any address was given: words such as "quota" or "unknown" there are
        # about the connecting client ("daily relay quota"), not about a recipient's mailbox
        reason = "blocked"
    # A recipient refused only after the message was sent (end of DATA) was
    # accepted at RCPT time: the refusal is a filter decision, not an
    # unknown mailbox (Sisimai "filtered").
    if reason is None:
        return None, None
    return reason, is_hard(reason, rc, enh)


# Yahoo checks mailboxes only after DATA and says so in its own words
# ("554 delivery error: dd This user doesn't have a yahoo.com account"): an
# unknown user there is still an unknown user.
# Reply codes of the syntax group (RFC 5321 §4.2.1, second digit 0): 500 syntax error, 501 syntax
# error in parameters, 502 not implemented, 503 bad sequence, 504 parameter not implemented.
_SYNTAX_REPLIES = frozenset({"500", "501", "502", "503", "504"})

_LATE_UNKNOWN = re.compile(r"\bdd (?:this user|sorry,? \w{0,20}) ?doesn't have an? [^\s]{1,60} account")

# Unknown-user wordings that MTA notice formats use only for a mailbox that
# does not exist (their own tables, not a generic phrase): Lotus Notes /
# Domino directories, Exchange 2003 categoriser, IMail, Verizon MMS gateway,
# qmail's local delivery ("no mailbox here by that name"),
# au (KDDI) "<address>: User unknown", Yahoo's post-DATA check.
_ASSERTED_UNKNOWN = re.compile(
    r"\bdd (?:this user|sorry,? \w{0,20}) ?doesn't have an? [^\s]{1,60} account|"
    r"not listed in (?:the )?(?:domino directory|public name ?& ?address book|(?:the )?address book)|"
    r"recipient name is not recognized|invalid final delivery userid|\bunknown user: |"
    r"no valid recipients for this mm|no mailbox here by that name|リストにありません|"
    r"(?:ezweb\.ne\.jp|\bau\.com)>: user unknown"
)

# Sisimai's SMTP::Status table names these enhanced codes an address status
# ("userunknown"); RFC 3463 subject 1 is "addressing status".
_ADDRESS_STATUS = re.compile(r"^[45]\.1\.(?:[01345]|9|1[0-9]|\d{3})$")


def _unknown_or_filtered(enh: str | None, cmd: str) -> str:
    """Decide between "userunknown" and "filtered" for an unknown-user text.

    Sisimai's rule (lib/sisimai/reason/userunknown.rb and filtered.rb, BSD):
    an unknown-user wording is a missing mailbox when the enhanced status is
    an address status (X.1.1 ...) or the reply answered RCPT TO; when the
    reply came after DATA, or nothing says which command it answered and no
    address status backs it, the recipient was refused by a filter after the
    address was accepted ("filtered", soft).  A refusal at MAIL FROM is
    decided by :func:`classify` ("rejected").
    """
    if enh and _ADDRESS_STATUS.match(enh):
        return "userunknown"
    if cmd in ("RCPT", "MAIL"):
        return "userunknown"
    return "filtered"


# ---------------------------------------------------------------------------
# Provider reply families (Sisimai's "rhost" layer): some large receivers use
# their own reply texts or internal codes whose meaning is fixed by the
# provider's documentation; when one is present it decides the reason, like
# Sisimai's lib/sisimai/rhost/*.rb (BSD) do.  Patterns and tables are our own.
# ---------------------------------------------------------------------------

# Orange / Wanadoo / La Poste append an internal code to every reply:
# "OFR_506", "OFR005_505 [505]", "LPN007_416", "LPNAAA_101", "OUK_513".  The
# last three digits name the condition (Orange postmaster pages, see
# https://www.postmastery.com/orange-postmaster-smtp-error-codes-ofr/).
_ORANGE_CODE = re.compile(r"\b(?:lpnaaa|lpn|ofr|ouk)(?:_|\d{3}[-_])(\d{3})\b")
ORANGE_CODES: dict[str, str] = {
    "101": "blocked",        # sending IP on a blocklist (Spamhaus ...)
    "102": "blocked",        # source IP blocked for spam incidents
    "103": "blocked",        # service refused to this client
    "104": "toomanyconn",    # too many connections
    "305": "securityerror",  # invalid authentication code
    "401": "authfailure",    # SPF: sender not allowed
    "402": "securityerror",  # authentication required
    "403": "rejected",       # invalid sender
    "405": "rejected",       # invalid sender
    "415": "rejected",       # invalid sender
    "416": "userunknown",    # invalid recipient
    "417": "mailboxfull",    # recipient over quota
    "420": "suspend",        # recipient mailbox archived
    "421": "rejected",       # MAIL FROM not owned by the user
    "426": "suspend",        # recipient account blocked
    "505": "systemerror",    # service refused, try later (end of DATA)
    "506": "spamdetected",   # mail rejected (content judged spam)
    "510": "blocked",        # service refused (end of DATA)
    "514": "mesgtoobig",     # message size limit reached
    "517": "authfailure",    # DMARC verification failed
    "630": "policyviolation",  # client host rejected by local policy
    "999": "blocked",        # service refused, try later
}

# Charter Spectrum replies carry "AUP#I-1310" (incoming) / "AUP#O-1520"
# (outgoing); the number ranges below follow Spectrum's error-code page
# (https://www.spectrumbusiness.net/support/internet/understanding-email-error-codes).
_SPECTRUM_CODE = re.compile(r"aup#[a-z-]{0,8}(\d{4})")
SPECTRUM_CODES: tuple[tuple[int, int, str], ...] = (
    (1000, 1000, "blocked"),          # sending IP blocked for suspicious activity
    (1010, 1080, "rejected"),         # sending account blocked / limited
    (1090, 1090, "systemerror"),      # message cannot be processed now
    (1100, 1150, "requireptr"),       # DNS / reverse DNS of the sending IP
    (1160, 1190, "policyviolation"),  # against the domain's security policy
    (1200, 1250, "blocked"),          # IP listed by Cloudmark CSI / Spamhaus
    (1260, 1260, "networkerror"),     # IPv6 not accepted
    (1300, 1340, "toomanyconn"),      # too many (concurrent) connections
    (1350, 1490, "speeding"),         # message / recipient volume limits
    (1500, 1520, "rejected"),         # sending as another address / domain
    (1530, 1530, "mesgtoobig"),       # over the 20 MB size limit
    (1540, 1550, "speeding"),         # too many messages per session / recipients
    (1560, 1560, "policyviolation"),  # too many invalid recipients
    (1580, 1580, "speeding"),         # too many recipients in a short time
)

# Reply texts of Gmail (https://support.google.com/a/answer/3221692 and
# https://support.google.com/mail/answer/81126), Mimecast
# (https://community.mimecast.com/s/article/Mimecast-SMTP-Error-Codes-842605754),
# Charter Spectrum (https://www.spectrum.net/support/internet/understanding-email-error-codes)
# and au (KDDI).  Order matters: the first match wins.
_PROVIDER_FAMILIES: list[tuple[str, str]] = [
    # Gmail: a sender-wide rate judgement ("unusual rate of [unsolicited] mail"
    # from your IP / DKIM / SPF domain) is a block, not an authentication or
    # content verdict, even though the text names SPF and DKIM domains.
    ("blocked", r"unusual rate of (?:unsolicited )?mail|ip not in whitelist for rcpt domain"),
    ("badreputation", r"very low reputation of the sending"),
    ("spamdetected", r"likely unsolicited mail|nature of the content or the links within"),
    ("speeding", r"receiving mail (?:too quickly|at a rate that prevents)|"
                 r"daily (?:smtp relay |user sending |sending )(?:limit|quota|sending limit) exceeded|"
                 r"this mail has been rate limited"),
    ("suspend", r"account that you tried to reach is (?:disabled|inactive)"),
    ("policyviolation", r"has a policy that prohibited the mail"),
    ("securityerror", r"tls required for rcpt domain"),
    # Mimecast: fixed reply texts per refusal kind (its SMTP error code page).
    ("virusdetected", r"email rejected due to security policies"),
    ("authfailure", r"(?:spf|dkim|dmarc) sender invalid - envelope rejected"),
    ("badreputation", r"local ct ip reputation"),
    ("blocked", r"ip temporarily blacklisted"),
    ("policyviolation", r"anti-spoofing policy|content examination policy|host network,? not allowed"),
    ("rejected", r"administrative prohibition envelope blocked|envelope blocked - user (?:domain )?entry|"
                 r"header-based (?:manually )?blocked senders|block policy for envelope from"),
    ("toomanyconn", r"exceeding outbound thread limit|account service is temporarily unavailable"),
    ("notaccept", r"account inbounds disabled"),
    ("securityerror", r"this route requires (?:encryption|tls version|high-strength)|submitter failed to authenticate"),
    ("mesgtoobig", r"maximum email size exceeded"),
    # Yahoo (https://senders.yahooinc.com/smtp-error-codes): bracketed codes
    # such as [TSS04] come with fixed texts.
    ("badreputation", r"deferred due to unexpected volume or user complaints"),
    ("blocked", r"ip is in spamhaus's list|not accepted from ip addresses on spamhaus"),
    ("policyviolation", r"not accepted for policy reasons"),
    ("rejected", r"unresolvable rfc\.?5321 (?:from )?domain|will be permanently deferred"),
    ("speeding", r"user is receiving mail too quickly"),
    ("suspend", r"\bdd \S{1,254} is no longer valid|this mailbox is disabled"),
    ("toomanyconn", r"max message per connection reached"),
    ("userunknown", r"\bdd this user doesn't have an? "),
    # au (KDDI) writes an empty address for a filtered recipient.
    ("filtered", r"\b550:? : user unknown"),
]
_PROVIDERS = _compile(_PROVIDER_FAMILIES)
_PROVIDERS_INDEX = _FamilyIndex(_PROVIDERS)


def provider_reason(low: str) -> str | None:
    """Return the reason a provider-specific reply family decides, or None.

    ``low``: lower-cased diagnostic text (codes not removed).  Orange / La
    Poste internal codes (:data:`ORANGE_CODES`) are read first, then the
    reply families of Gmail, Mimecast, Spectrum and au (KDDI).
    """
    if not low:
        return None
    if "aup#" in low:
        m = _SPECTRUM_CODE.search(low)
        if m:
            num = int(m.group(1))
            for lo, hi, reason in SPECTRUM_CODES:
                if lo <= num <= hi:
                    return reason
    if "ofr" in low or "lpn" in low or "ouk_" in low:
        m = _ORANGE_CODE.search(low)
        if m and m.group(1) in ORANGE_CODES:
            return ORANGE_CODES[m.group(1)]
    present = {t for t in _PROVIDERS_INDEX.keys if t in low}
    return _PROVIDERS_INDEX.first(low, present) if present or _PROVIDERS_INDEX.ungated else None


# Words saying the retry period is over (RFC 3463 X.4.7 "delivery time
# expired"; MTAs' own give-up wording).
_EXPIRY_EVIDENCE = re.compile(
    r"expired|too long|giving up|given up|gave up|retry timeout|not (?:be )?delivered within|"
    r"could not be delivered for|maximum time|retry period|not reachable within|failing for a long time|"
    r"bounced|undeliverable"
)
# A connection-level failure (the reason a message is deferred).
_CONNECT_FAILURE = re.compile(
    r"connection (?:timed out|refused|reset|closed|lost)|timed out|lost connection|no route to host|"
    r"network is unreachable|host (?:is )?unreachable|could not connect|unable to connect|failed to connect|"
    r"conversation with \S{1,255} timed out"
)

_BARE_RCPT_REFUSAL = re.compile(r"recipient address rejected\.?\s*(?:\(in reply to rcpt to command\))?\s*$")
_WORD = re.compile(r"[a-z]{3,}")


def _has_words(text: str | None) -> bool:
    """True when ``text`` holds at least three words besides codes and addresses."""
    if not text:
        return False
    low = _CODE_TOKENS.sub(" ", text[:600].lower())
    low = re.sub(r"\S*@\S*|<[^<>]{0,300}>", " ", low)
    return len(_WORD.findall(low)) >= 3


def _norm_command(command: str | None) -> str:
    """"RCPT TO" -> "RCPT", "MAIL FROM" -> "MAIL", "end of DATA" -> "DATA"."""
    cmd = " ".join((command or "").upper().replace("_", " ").split())
    if cmd.startswith(("RCPT", "MAIL")):
        return cmd[:4]
    if cmd.endswith("DATA") or cmd == "BDAT":
        return "DATA"
    return cmd


def _command_reason(rc: str | None, enh: str | None, command: str | None, act: str) -> str | None:
    cmd = _norm_command(command)
    if act == "delayed" and not (rc and rc[0] in "45"):
        # A delay report that names no reply and no cause (RFC 3464 Action: delayed with only a
        # Status): Sisimai's vocabulary for it is "expired" (the warning time ran out).  A deferral
        # with a server reply is classified by that reply below: the retries have not run out.
        return "expired"
    if rc:
        if rc in ("421",):
            return "blocked" if cmd in ("CONN", "HELO", "EHLO") else "systemerror"
        if rc in ("450", "550", "551", "553", "554"):
            if cmd.startswith("RCPT"):
                return "userunknown" if rc in ("550", "551", "553") else "rejected"
            if cmd.startswith("MAIL"):
                return "rejected"
            if cmd in ("HELO", "EHLO", "CONN"):
                return "blocked"
            if cmd.startswith("DATA") or cmd == "BODY":
                return "filtered"
        if rc == "552":
            return "mailboxfull" if cmd.startswith("RCPT") else "mesgtoobig"
        if rc == "452":
            return "mailboxfull"
        if rc == "451":
            return "systemerror"
        if rc in ("530", "535", "534", "538"):
            return "securityerror"
        if rc in ("500", "501", "502", "503", "504", "555"):
            return "syntaxerror"
        if rc[0] in "45":
            return "undefined"
    if enh and enh[0] in "45":
        return "undefined"
    if act == "failed":
        return "undefined"
    return None


GREYLISTING_STEP = ("Nothing to resend yet: the receiver greylists mail from senders it has not seen before "
                    "(RFC 6647) and accepts it when the sending MTA retries a few minutes later. Look further "
                    "only if the same recipients are still deferred after an hour.")
GREYLISTING_FAILED_STEP = ("The retries never got past the receiver's greylisting (RFC 6647): check that the "
                           "sending MTA retries from the same IP address (or from a pool the receiver treats as "
                           "one) and keeps retrying for at least an hour, then resend.")
_GREYLIST = re.compile(r"grey-?list|gray-?list|postgrey", re.I)
_PERMANENT_CODE = re.compile(r"(?<![\d.])5[0-9][0-9](?![\d.])|(?<![\d.])5\.\d{1,3}\.\d{1,3}")


# Enhanced status codes whose own meaning calls for a different step than their reason's generic one
# (the SMTPUTF8 codes of RFC 6531 §3.6 / RFC 6533 fall under "contenterror", whose step is about MIME).
CODE_STEPS: dict[str, str] = {
    "6.7": ("The address is internationalised (non-ASCII) and this server takes such addresses only over "
            "SMTPUTF8 (RFC 6531): send through a path that supports SMTPUTF8, or use the correspondent's "
            "ASCII address."),
    "6.8": ("The server answered in UTF-8 but the client did not ask for SMTPUTF8 (RFC 6531): enable "
            "SMTPUTF8 on the sending MTA or client."),
    "6.9": ("The message has UTF-8 headers and a hop on the way does not support SMTPUTF8 (RFC 6531): send it "
            "with ASCII headers (RFC 2047 encoded words) or through a path that supports SMTPUTF8."),
    "6.10": ("The server answered in UTF-8 but the client did not ask for SMTPUTF8 (RFC 6531): enable "
             "SMTPUTF8 on the sending MTA or client."),
}


def next_step(reason: str | None, action: str | None = None, text: str | None = None,
              enhanced: str | None = None) -> str | None:
    """Return one concrete next step for a finding, or None for no reason.

    ``reason``: a Sisimai reason; ``action``: the RFC 3464 Action value
    ("failed", "delayed", ...) or None; ``text``: the reply text, when known.
    A temporary refusal that says it is greylisting (RFC 6647 §2: the
    receiver defers an unknown sender once and expects a retry) gets
    :data:`GREYLISTING_STEP`, whatever the reason (:data:`GREYLISTING_FAILED_STEP`
    when the message was returned all the same); an ``enhanced`` status code
    listed in :data:`CODE_STEPS` gets its own step.  A *delayed* message (DSN
    Action: delayed, Postfix ``status=deferred``) is still queued and being
    retried by the sending MTA (RFC 5321 section 4.5.4.1), so its step never
    says the MTA gave up; otherwise the step comes from :data:`NEXT_STEPS`.
    """
    if not reason:
        return None
    if text and reason not in NOT_FAILURE_REASONS and _GREYLIST.search(text[:2000]) \
            and not _PERMANENT_CODE.search(text[:200]):
        # a greylisting deferral is retried; once the message was returned (Action: failed, Postfix
        # "status=expired, returned to sender") the retries did not get through
        return GREYLISTING_FAILED_STEP if (action or "").strip().lower() == "failed" else GREYLISTING_STEP
    if enhanced and enhanced.count(".") == 2 and reason not in NOT_FAILURE_REASONS:
        step = CODE_STEPS.get(enhanced.split(".", 1)[1])
        if step:
            return step
    if (action or "").strip().lower() == "relayed" and reason == "delivered":
        # RFC 3464 §2.3.3: handed on to a system that sends no further reports
        return "Nothing to do: the message was relayed to a system that sends no further delivery reports."
    if (action or "").strip().lower() == "delayed" and reason not in NOT_FAILURE_REASONS:
        hint = DEFERRAL_HINTS.get(reason, "")
        return ("Nothing to resend yet: the message is deferred and the sending MTA is still retrying it; "
                "it bounces only if the retries run out. " + hint).strip()
    return NEXT_STEPS.get(reason)


# What to check while a deferred message is still being retried.
DEFERRAL_HINTS: dict[str, str] = {
    "expired": "If the delay persists, check that the recipient domain's MX hosts are reachable from the sending MTA.",
    "networkerror": "Check DNS and connectivity (port 25) from the sending MTA to the recipient's MX hosts.",
    "mailboxfull": "The recipient's mailbox is over quota; it will be retried until the queue lifetime ends.",
    "speeding": "The receiver is rate limiting: lower the sending rate to this domain.",
    "toomanyconn": "Open fewer simultaneous connections to this host.",
    "blocked": "The receiver is refusing the sending IP for now: check blocklists and the reply text.",
    "badreputation": "The receiver is throttling because of sender reputation: cut volume and check Postmaster Tools/SNDS.",
    "authfailure": "Fix SPF/DKIM/DMARC for the sending domain so the retries can pass.",
    "requireptr": "Give the sending IP a PTR record that resolves back to it so the retries can pass.",
    "systemerror": "The receiving system reported a temporary problem; contact its postmaster if it persists.",
}


# One concrete next step per reason (own words), for findings.
NEXT_STEPS: dict[str, str] = {
    "authfailure": "Fix SPF/DKIM/DMARC for the sending domain (publish or correct the records, sign with an aligned DKIM key), then resend.",
    "badreputation": "Check the sending IP and domain reputation (Postmaster Tools, SNDS), cut volume to cold addresses, and warm up before resending.",
    "blocked": "Look the sending IP up on the blocklist named in the reply, fix the cause (open relay, bad PTR, compromised account) and request delisting.",
    "contenterror": "Check the message's headers and MIME structure (encoding, charset, attachments) and resend a well-formed message.",
    "delivered": "Nothing to do: this report says the message was delivered.",
    "exceedlimit": "Send to fewer recipients per message or smaller messages; the receiving side enforces a limit.",
    "expired": "The sending MTA gave up retrying: check that the recipient domain's MX hosts are reachable, then resend.",
    "feedback": "A recipient reported the message as spam: remove them from the list and review how they were subscribed.",
    "filtered": "The recipient's server refused this message for this mailbox (filter or recipient setting); ask the recipient to allow your address.",
    "hasmoved": "Remove this address; ask the person for their new address.",
    "hostunknown": "Check the recipient domain for a typo; the domain has no working DNS/MX. Remove the address if it is right.",
    "mailboxfull": "Retry later or reach the recipient another way; their mailbox is over quota.",
    "mailererror": "The receiving host's local delivery program failed: contact that host's postmaster with the bounce.",
    "mesgtoobig": "Shrink the message (link to large files instead of attaching them) and resend.",
    "networkerror": "Check DNS and connectivity to the recipient's MX hosts from the sending MTA; the message can be retried.",
    "norelaying": "Send through a server that accepts your mail (authenticate with SMTP AUTH), or fix the recipient domain's MX.",
    "notaccept": "This domain accepts no mail (null MX or refusing all): remove the address.",
    "notcompliantrfc": "Fix the message format so it follows RFC 5322 (single From/Date/Message-ID, valid header syntax) and resend.",
    "onhold": "The failure could not be classified with certainty: read the diagnostic text and contact the receiving postmaster.",
    "policyviolation": "The message broke the receiver's local policy: read the reply text for the rule and change the message or sending practice.",
    "rejected": "The envelope sender was refused: check the MAIL FROM address/domain exists and is allowed, then resend.",
    "requireptr": "Give the sending IP a PTR record whose name resolves back to the same IP (ask your hosting provider).",
    "securityerror": "Fix the sending authentication or TLS setup (credentials, STARTTLS, certificate) and retry.",
    "spamdetected": "The content was scored as spam: review content, links and list hygiene, then resend at a lower rate.",
    "speeding": "Slow down: spread sending to this domain over time and retry the deferred messages later.",
    "suspend": "The mailbox is disabled or suspended: stop sending and reach the recipient another way.",
    "syntaxerror": "The sending client issued an invalid SMTP command or argument: check the client or MTA configuration.",
    "systemerror": "The receiving system had an internal problem: retry later; contact its postmaster if it persists.",
    "systemfull": "The receiving system is out of storage: retry later.",
    "toomanyconn": "Open fewer simultaneous connections to this host and retry later.",
    "undefined": "Read the diagnostic text; if unclear, contact the receiving postmaster with the full bounce.",
    "userunknown": "Remove or correct this address: the mailbox does not exist.",
    "vacation": "Nothing to do: this is an automatic reply (out of office), not a failure.",
    "virusdetected": "Scan the sending machine and the attachment; resend without the infected content.",
}
