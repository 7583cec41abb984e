"""The order in which format modules are consulted (one place; first match wins).

* :data:`READERS`: whole-message readers, tried in order after the RFC 3464
  parts (which come first: the most trusted source) and before the generic
  notice reader; the first that returns a :class:`Reading` decides.
* :data:`ADJUSTERS`: applied in order to the rows of every bounce, whichever
  reader found them, where a format's own wording means something the
  generic reading cannot tell.
* :data:`DSN_FIELDS`: formats whose RFC 3464 extension field states the
  reason outright (applied to each DSN recipient block).
* The generic notice reader also asks :mod:`~knowledge.bounce.formats.sendmail`
  how to split a transcript and :mod:`~knowledge.bounce.formats.qmail` which
  stage failed (:mod:`knowledge.bounce.text`, :mod:`knowledge.bounce.codes`).

To add a format: write knowledge/data/formats/<id>.toml, and if it needs code
``formats/<id>.py`` with ``read`` / ``adjust`` / ``field_reason`` (see
:mod:`knowledge.bounce.formats.base`), list it here, and add its fixture under
tests/fixtures/bounces/<id>/ with a test in tests/knowledge/bounce/formats/.
"""

from __future__ import annotations

from knowledge.bounce.formats import amazonses, autoreply, docomo, ezweb, fml, googlegroups, mcafee, outlook, powermta

__all__ = ["READERS", "ADJUSTERS", "DSN_FIELDS"]

READERS = (
    amazonses,     # SES notification JSON in the body
    autoreply,     # RFC 3834 auto-replies (out of office): kind "auto-reply"
    googlegroups,  # the group refused the post
    fml,           # fml mailing-list refusals
)

ADJUSTERS = (
    ezweb,    # au EZweb sentences, X-SPASIGN: NG
    docomo,   # NTT DOCOMO: the stage decides
    outlook,  # Outlook.com "mailbox unavailable"
    mcafee,   # McAfee Email Gateway: unknown user
)

DSN_FIELDS = (
    powermta,  # X-PowerMTA-BounceCategory
)
