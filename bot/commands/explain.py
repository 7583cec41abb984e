"""Explain SMTP reply codes and enhanced status codes, and how they differ.

``smtpbot explain CODE... [--format text|json] [--provider NAME]``

Cheap to import: the knowledge base, pydantic and rich are loaded inside
:func:`run`.  Meanings come from ``knowledge.explain`` (RFC 5321 §4.2, SMTP
extension RFCs, RFC 3463 and the IANA enhanced status code registry).
"""

from __future__ import annotations

import argparse
import re
import sys

EPILOG = """codes:
  252           a reply code (RFC 5321): three digits, first digit 2-5
  5.7.26        an enhanced status code (RFC 3463): class.subject.detail; X.7.26 = any class
  "550 5.7.26"  a reply code and its enhanced code in ONE argument (quoted, or a
                pasted reply line) are one combined code.  Separate arguments
                are separate codes: 550 5.7.26 (two words) compares 550 with
                5.7.26.  Inside one argument, 'vs' or a comma separates codes:
                "550 vs 5.7.26".
  Also accepted: 550-5.7.1, #5.1.1, mixed case, surrounding quotes or punctuation.

Repeated codes are explained once.  At most 10 distinct codes are explained
per run; the rest are listed on stderr ("only the first 10 codes are explained").

Two or more codes are compared: class difference, what each means, when you
meet it, what to do, retry, and which one matters when.

exit status:
  0  answered (if some inputs are malformed, the valid ones are answered and
     each malformed one is reported on stderr, one line each)
  2  usage error, unknown --provider, or every input is malformed (with
     --format json the JSON document is still printed, with empty items)
  1  unexpected internal error

JSON output (--format json) is documented in README.md, section
"JSON output of smtpbot explain"; its top-level keys are
schema_version, items, errors, comparison.

examples:
  smtpbot explain 252 502
  smtpbot explain "550 5.7.26" --provider gmail
  smtpbot explain --format json 421 451
"""

_SEPARATORS = {"vs", "vs.", "versus", "and", "or", ",", "/", "|"}
_REPLY_ONLY = re.compile(r"^\W*#?[0-9]{3}\W*$")
_ENHANCED_ONLY = re.compile(r"^\W*#?[0-9xX]\.[0-9]+\.[0-9]+\W*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``CODE...``, ``--format`` and ``--provider`` on ``parser``."""
    parser.add_argument("codes", nargs="+", metavar="CODE",
                        help="reply code (550), enhanced status code (5.7.1) or both ('550 5.7.1')")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default, for people) or json (stable schema, for scripts)")
    parser.add_argument("--provider", metavar="NAME",
                        help="also show what this mailbox provider means by the code (e.g. gmail, microsoft, yahoo); "
                             "list them with 'smtpbot providers'")


def queries_from_argv(argv: list[str]) -> list[str]:
    """Turn command-line words into query strings.

    Each argument is read on its own: separate arguments are always separate
    codes (``["550", "5.1.1"]`` -> ``["550", "5.1.1"]``).  Inside one argument
    (a quoted or pasted reply line) a reply code directly followed by an
    enhanced code becomes one combined query (``["550 5.7.26"]`` ->
    ``["550 5.7.26"]``); ``vs``, ``and``, ``,`` inside it break that pairing.
    Other words are kept as they are so that :func:`knowledge.explain.explain`
    reports them.  Duplicates are kept here; ``explain`` removes them.
    """
    out: list[str] = []
    for arg in argv:
        pieces: list[str | None] = []  # None marks an explicit separator
        for part in re.split(r"(,)|\s+", arg):
            if part is None or part == "":
                continue
            pieces.append(None if part.lower() in _SEPARATORS else part)
        i = 0
        while i < len(pieces):
            p = pieces[i]
            if p is None:
                i += 1
                continue
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and _REPLY_ONLY.match(p) and _ENHANCED_ONLY.match(nxt):
                out.append(f"{p} {nxt}")
                i += 2
                continue
            out.append(p)
            i += 1
    return out


def _print_json(result) -> None:
    import json

    sys.stdout.write(json.dumps(result.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


def run(args: argparse.Namespace) -> int:
    """Answer ``smtpbot explain``; returns the exit status (0, or 2 as above)."""
    from knowledge.explain import explain

    provider = getattr(args, "provider", None)
    as_json = getattr(args, "format", "text") == "json"
    if provider is not None and not provider.strip():
        provider = " "  # an empty --provider is an unknown provider, not no provider
    if provider:
        problem = None
        try:
            from knowledge.providers import resolve_provider
        except ImportError:
            problem = "--provider is not available in this installation"
        else:
            if resolve_provider(provider) is None:
                from knowledge.codes import printable

                shown = printable(" ".join(provider.split())[:40])
                problem = f"unknown provider '{shown}' (see 'smtpbot providers' for the list)"
        if problem:
            print(f"smtpbot explain: {problem}", file=sys.stderr)
            if as_json:
                from knowledge.results import ExplainResult

                _print_json(ExplainResult(items=[], errors=[problem]))
            return 2

    queries = queries_from_argv(args.codes)
    if not queries:
        problem = "no code given; try 'smtpbot explain 550' or 'smtpbot explain --help'"
        print(f"smtpbot explain: {problem}", file=sys.stderr)
        if as_json:
            from knowledge.results import ExplainResult

            _print_json(ExplainResult(items=[], errors=[problem]))
        return 2
    result = explain(queries, provider=provider)

    for err in result.errors:
        print(f"smtpbot explain: {err}", file=sys.stderr)

    if as_json:
        _print_json(result)  # also when every input was malformed: items is then empty
    elif result.items:
        from bot.render_text import print_explain

        print_explain(result)
    return 0 if result.items else 2
