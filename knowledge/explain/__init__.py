"""Explain SMTP codes: one code, a reply code with its enhanced code, or several.

Public API (import from ``knowledge.explain``):

* :func:`explain_code` -- one :class:`~knowledge.results.CodeExplanation` for a
  reply code, an enhanced status code, or both (kind ``combined``).
* :func:`explain` -- an :class:`~knowledge.results.ExplainResult` for a list of
  query strings (items in input order, one-line errors for malformed input, a
  :class:`~knowledge.results.Comparison` when two or more items were explained).
* :func:`explain_with_provider`, :func:`standard_line` -- a code as a provider uses it.
* :func:`extract_queries` -- pull code tokens and a provider word out of free
  text such as ``"what's 421 vs 450?"``.

Meanings come from the knowledge base (RFC 5321 §4.2, extension RFCs, RFC 3463,
IANA registry).  A well-formed code with no entry gets an answer derived from
its digits (RFC 5321 §4.2.1; RFC 3463 §2) marked ``derived=True``.

Modules: ``codes`` (one code from the standards), ``provider`` (a code as a provider uses it),
``queries`` (reading a question: tokens and the "not a code" rules); :func:`explain` is here.
"""

from __future__ import annotations

from knowledge.codes import MalformedCode, parse_code, printable
from knowledge.explain.codes import explain_code
from knowledge.explain.provider import (
    _marker_item,
    _provider_name,
    _provider_note,
    _resolve_provider,
    _rule_for_token,
    _with_defining_provider,
    explain_with_provider,
    standard_line,
)
from knowledge.explain.queries import extract_queries
from knowledge.results import CodeExplanation, ExplainResult

__all__ = ["MAX_CODES", "explain", "explain_code", "explain_with_provider", "extract_queries", "standard_line"]

MAX_CODES = 10
"""At most this many distinct codes are explained per request; the rest are
reported in ``ExplainResult.errors``."""


def _parse_queries(queries: list[str]) -> tuple[list, list[str]]:
    """The distinct queries in order -- a :class:`~knowledge.codes.ParsedCode`, or ``(query, rule hit)`` for
    a provider marker such as ``TSS04`` -- and the error lines of the malformed ones."""
    seen: set[str] = set()
    parsed_codes: list = []
    bad: list[str] = []
    for q in dict.fromkeys(q for q in queries if isinstance(q, str)):
        try:
            parsed = parse_code(q)
        except MalformedCode as exc:
            hit = _rule_for_token(q) if q.strip()[:1].isalpha() or q.strip()[:1] in "[(" else None
            if hit is None:
                bad.append(str(exc))
                continue
            key = "marker:" + q.strip().strip("[]").upper()
            if key not in seen:
                seen.add(key)
                parsed_codes.append((q, hit))
            continue
        if parsed.normalized not in seen:
            seen.add(parsed.normalized)
            parsed_codes.append(parsed)
    return parsed_codes, bad


def _limit_errors(parsed_codes: list, bad: list[str]) -> list[str]:
    """The error lines: the first :data:`MAX_CODES` malformed inputs, a count of the rest, and a line naming
    the codes left out beyond :data:`MAX_CODES`."""
    errors = bad[:MAX_CODES]
    if len(bad) > MAX_CODES:
        errors.append(f"... and {len(bad) - MAX_CODES} more inputs that are not SMTP codes.")
    if len(parsed_codes) > MAX_CODES:
        left = [p[0].strip() if isinstance(p, tuple) else p.normalized for p in parsed_codes[MAX_CODES:MAX_CODES + 5]]
        errors.append(f"only the first {MAX_CODES} codes are explained; {len(parsed_codes) - MAX_CODES} more "
                      f"({', '.join(printable(x[:40]) for x in left)}"
                      f"{', ...' if len(parsed_codes) > MAX_CODES + 5 else ''}) were left out.")
    return errors


def _explain_one(parsed, provider_id: str | None, provider_name: str | None) -> CodeExplanation:
    """One item: a provider marker's rule, the code as the asked provider uses it (or a note that it has
    no rule), or the standard meaning with the provider that defines an unregistered code."""
    if isinstance(parsed, tuple):  # a provider marker ("TSS04"): its rule's meaning
        return _marker_item(*parsed)
    item = explain_code(parsed.reply, parsed.enhanced)
    if not provider_id:
        return _with_defining_provider(item)
    note = _provider_note(provider_id, item)
    if note is not None:
        return explain_with_provider(parsed.reply, parsed.enhanced, note)
    return item.model_copy(update={"notes": [
        *item.notes,
        f"{provider_name} has no specific rule for {item.code}; general meaning below.",
    ]})


def explain(queries: list[str], provider: str | None = None) -> ExplainResult:
    """Explain each query string and compare them when there are two or more.

    ``queries``: code strings as accepted by :func:`~knowledge.codes.parse_code`
    (``"252"``, ``"550 5.7.26"``...).  Identical codes (after normalisation:
    ``550`` and ``"550."``, ``5.07.1`` and ``5.7.1``) are explained once, in the
    order first given; at most :data:`MAX_CODES` distinct codes are explained,
    and one error line says how many more were left out.  ``provider``: a
    provider id or alias (``"gmail"``); when given, each item is built with
    :func:`explain_with_provider` if the provider has a rule for the code, and
    otherwise carries a ``notes`` line saying the provider has no specific
    rule, so the general meaning applies.
    Returns an :class:`ExplainResult`: items in input order, ``errors`` one line
    per malformed query (at most :data:`MAX_CODES` lines, then a count; user
    text is shown with control characters escaped), ``comparison`` when
    ``len(items) >= 2``.  Never raises for bad input.
    """
    errors: list[str] = []
    provider_id = _resolve_provider(provider) if provider else None
    if provider and provider_id is None:
        shown = printable(" ".join(provider.split())[:40])
        errors.append(f"unknown provider '{shown}': the explanation below is the standard meaning only.")
    provider_name = _provider_name(provider_id) if provider_id else None
    parsed_codes, bad = _parse_queries(queries)
    errors.extend(_limit_errors(parsed_codes, bad))
    items = [_explain_one(p, provider_id, provider_name) for p in parsed_codes[:MAX_CODES]]
    comparison = None
    if len(items) >= 2:
        from knowledge.compare import compare

        comparison = compare(items)
    return ExplainResult(items=items, errors=errors, comparison=comparison)
