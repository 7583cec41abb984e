"""Provider knowledge: what a mailbox provider or a blocklist means by a response.

The same reply code and enhanced status code can mean different things at
different receivers: Gmail's ``4.7.27`` is "SPF did not pass" where the IANA
registry says "sender address has null MX"; Microsoft's ``5.1.10`` is "recipient
not found" where IANA says "recipient address has null MX" (RFC 7505).  All of
it lives in one data file per provider, ``knowledge/data/providers/<id>.toml``;
this package reads them and answers:

* :func:`resolve_provider` -- which provider does a word name (``"o365"`` ->
  ``"microsoft"``)?
* :func:`lookup` -- what does provider P mean by these codes (``smtpbot explain
  5.7.26 --provider gmail``)?
* :func:`match` / :func:`match_fields` -- does a pasted response come from a known provider or
  blocklist, and which of its rules fits (annotation of bounces)?
* :func:`rules_for_code`, :func:`rule_for_token`, :func:`redefines` -- provider meanings of codes and
  markers for ``explain``;
* :func:`reason_phrase_tables`, :func:`reason_code_tables` -- the provider reply families and internal
  code tables that decide a bounce reason, for the reasons engine;
* :func:`catalog`, :func:`provider_ids`, :func:`rules_of` -- the list for ``smtpbot providers`` and the
  Slack App Home; :func:`validate_provider_data` -- the full check of a data directory;
* :func:`rule_reason_applies` -- whether a matched rule's reason replaces the generic one (MAIL FROM and
  message-fate exceptions, sets in :mod:`knowledge.vocabulary`).

Modules: ``schema`` (the data file shape and its checks), ``records`` (the loaded form), ``loader``
(parsed-file cache, index, reason tables), ``matching`` (pasted replies), ``lookups`` (the rest),
``policy`` (when a rule's reason applies).
"""

from __future__ import annotations

from knowledge.providers.loader import (
    DATA_DIR,
    _index,
    _load,
    _note,
    _reset_index,
    reason_code_tables,
    reason_phrase_tables,
    validate_provider_data,
)
from knowledge.providers.lookups import (
    catalog,
    lookup,
    provider_ids,
    redefines,
    returned_only,
    resolve_provider,
    rule_for_token,
    rules_for_code,
    rules_of,
)
from knowledge.providers.matching import match, match_fields
from knowledge.providers.policy import rule_reason_applies
from knowledge.providers.records import ProviderDataError, ProviderInfo, ReasonCodes, ReasonPhrases
from knowledge.providers.schema import _REASON_NAMES, FAILURE_REASONS

__all__ = [
    "DATA_DIR",
    "FAILURE_REASONS",
    "ProviderDataError",
    "ProviderInfo",
    "ReasonCodes",
    "ReasonPhrases",
    "catalog",
    "lookup",
    "match",
    "match_fields",
    "provider_ids",
    "reason_code_tables",
    "reason_phrase_tables",
    "redefines",
    "returned_only",
    "resolve_provider",
    "rule_for_token",
    "rule_reason_applies",
    "rules_for_code",
    "rules_of",
    "validate_provider_data",
]

# private names other modules and tests use today: the index (bot/commands/annotate.py warms it), the
# loader (tests load without the cache), the note builder, the reason names
_PRIVATE = (_index, _load, _note, _reset_index, _REASON_NAMES)
