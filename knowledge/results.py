"""Result types shared by every front end (CLI, Slack app, tests).

These are the *contract* between the domain engine (``knowledge``) and the
presentation layers (``bot``).  The engine fills them; the CLI prints them as
text or JSON and the Slack app turns them into Block Kit.  Field names follow
the vocabulary of RFC 5321 (reply code), RFC 3463 (enhanced status code,
class / subject / detail) and RFC 3464 (DSN fields such as Final-Recipient,
Remote-MTA, Diagnostic-Code).

JSON shapes are stable: ``model_dump(mode="json", by_alias=True)`` is what
``smtpbot ... --format json`` prints.  Adding a field is allowed; renaming or
removing one is a breaking change and needs a ``SCHEMA_VERSION`` bump.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.vocabulary import REASONS

SCHEMA_VERSION = 1

CodeKind = Literal["reply", "enhanced", "combined"]
"""``reply``: a three-digit RFC 5321 reply code (``550``); ``enhanced``: an
RFC 3463 enhanced status code (``5.7.26``); ``combined``: both, as a server
sends them on one line (``550 5.7.26``)."""

Standing = Literal["standard", "extension", "registry", "non-standard", "derived", "provider"]
"""Where a meaning comes from: an RFC 5321 code, an SMTP extension RFC, the
IANA enhanced status code registry, a code that is common but defined by no
RFC, a meaning derived from the digits alone, or a provider's own use."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")


class ProviderNote(_Model):
    """What one mailbox provider or blocklist means by a response.

    ``rule_id`` names the matched rule in ``knowledge/data/providers/*``;
    ``doc_url`` is the provider's public documentation page.
    """

    provider: str = Field(description="Display name, e.g. 'Gmail / Google Workspace'")
    provider_id: str = Field(description="Stable id, e.g. 'gmail'")
    rule_id: str
    title: str
    meaning: str
    remedy: str
    retry_helps: bool | None = None
    doc_url: str
    reason: str | None = Field(default=None, description="Sisimai bounce reason the provider's documentation "
                               "gives this refusal (https://libsisimai.org/en/reason/), e.g. 'blocked'")


class CodeExplanation(_Model):
    """The explanation of one code, or of a reply code with its enhanced code.

    ``code`` is the normalised form (``"252"``, ``"5.7.26"``, ``"550 5.7.26"``).
    ``class_`` (JSON ``class``) is e.g. ``"5xx permanent negative completion"``
    (RFC 5321 §4.2.1) or ``"5.X.X permanent failure"`` (RFC 3463 §3.1).
    ``derived`` is true when no entry exists and the text was built from the
    digits alone.  ``source`` lists RFC sections, the IANA registry or URLs.
    """

    code: str
    kind: CodeKind
    class_: str = Field(alias="class")
    subject: str | None = Field(default=None, description="RFC 3463 subject meaning, enhanced codes only")
    title: str
    meaning: str
    when: str = Field(description="Where in the SMTP dialogue the code is met")
    fix: str = Field(description="What to do, and who must act")
    who_acts: list[str] = Field(default_factory=list, description="sender / sending admin / receiving admin")
    retry: str = Field(description="Whether the sending MTA retries, and whether a person should")
    standing: Standing
    derived: bool = False
    related: list[str] = Field(default_factory=list)
    source: list[str]
    parts: list["CodeExplanation"] = Field(default_factory=list, description="For combined codes: the reply and enhanced parts")
    provider: ProviderNote | None = None
    notes: list[str] = Field(default_factory=list, description="Remarks on this answer, e.g. that the requested "
                             "provider has no specific rule for the code")


class Difference(_Model):
    """One row of a comparison: an aspect and the value for each code, in order."""

    aspect: str = Field(description="'class', 'meaning', 'when', 'what to do', 'retry' ...")
    values: list[str]


class Comparison(_Model):
    """How two or more codes differ, built from their structured fields.

    ``summary`` is one sentence on the class difference; ``which_matters`` the
    one-line "which one matters when"; ``notes`` the curated notes for classic
    confusions (empty when the pair has none).
    """

    codes: list[str]
    summary: str
    differences: list[Difference]
    which_matters: str
    notes: list[str] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)


class ExplainResult(_Model):
    """The answer to ``smtpbot explain`` / ``/smtp CODES``.

    ``items`` in input order; ``errors`` one line per malformed input (the
    message says what valid codes look like); ``comparison`` when two or more
    items were explained.
    """

    schema_version: int = SCHEMA_VERSION
    items: list[CodeExplanation]
    errors: list[str] = Field(default_factory=list)
    comparison: Comparison | None = None


Reason = Literal[REASONS]  # type: ignore[valid-type]  # the tuple is spread: Literal["authfailure", ...]
"""Bounce reasons, Sisimai's vocabulary (https://libsisimai.org/en/reason/)."""


class Finding(_Model):
    """One failed recipient (or one failure, when no recipient is known).

    ``enhanced_status`` is only ever a code present in the text;
    ``inferred_status`` is the one we would expect when the text has none.
    ``hard_bounce``: true = permanent, do not retry unchanged; false = soft.
    """

    recipient: str | None = None
    reply_code: str | None = None
    enhanced_status: str | None = None
    inferred_status: str | None = None
    reason: Reason | None = None
    hard_bounce: bool | None = None
    action: str | None = Field(default=None, description="RFC 3464 Action: failed / delayed / delivered ...")
    command: str | None = Field(default=None, description="SMTP command answered: RCPT TO, DATA ...")
    remote_mta: str | None = None
    provider: str | None = None
    provider_rule: str | None = None
    provider_doc_url: str | None = Field(default=None, description="The provider's documentation page for the matched rule")
    reply_text: str | None = Field(default=None, description="Diagnostic text as the server sent it")
    title: str | None = Field(default=None, description="Knowledge base title of the code(s)")
    explanation: str | None = None
    next_step: str | None = None


AnnotationKind = Literal["bounce", "delay-warning", "delivery-report", "auto-reply", "feedback-report", "log", "none"]
"""``bounce``: a non-delivery report (some recipient failed); ``delay-warning``: every finding is
still being retried (RFC 3464 Action: delayed), nothing to resend yet; ``delivery-report``: a
success DSN; ``auto-reply``: RFC 3834; ``feedback-report``: ARF (RFC 5965); ``log``: log lines or
pasted text; ``none``: no SMTP failure found."""


class Annotation(_Model):
    """The annotation of one pasted text or message: ``smtpbot annotate``.

    ``kind``: what the input is; ``findings`` one per failed recipient, empty
    for text with no SMTP failure; ``notes`` human remarks (e.g. "success DSN:
    delivered, nothing to do").
    """

    source: str | None = None
    kind: AnnotationKind = "none"
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
