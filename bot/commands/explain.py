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
  550 5.7.26    a reply code followed by its enhanced code is ONE combined code;
                to compare them instead, separate with 'vs' or a comma: 550 vs 5.7.26
  Also accepted: 550-5.7.1, #5.1.1, mixed case, surrounding quotes or punctuation.

Two or more codes are compared: class difference, what each means, when you
meet it, what to do, retry, and which one matters when.

exit status:
  0  answered (if some inputs are malformed, the valid ones are answered and
     each malformed one is reported on stderr, one line each)
  2  usage error, unknown --provider, or every input is malformed
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

    Each argument may hold several codes separated by spaces or commas; a reply
    code immediately followed by an enhanced code (``550 5.7.26``) becomes one
    combined query; ``vs``, ``and``, ``,`` break that pairing.  Other words are
    kept as they are so that :func:`knowledge.explain.explain` reports them.
    """
    pieces: list[str | None] = []  # None marks an explicit separator
    for arg in argv:
        for part in re.split(r"(,)|\s+", arg):
            if part is None or part == "":
                continue
            pieces.append(None if part.lower() in _SEPARATORS else part)
    out: list[str] = []
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


def run(args: argparse.Namespace) -> int:
    """Answer ``smtpbot explain``; returns the exit status (0, or 2 as above)."""
    from knowledge.explain import explain

    provider = getattr(args, "provider", None)
    if provider:
        try:
            from knowledge.providers import resolve_provider
        except ImportError:
            print("smtpbot explain: --provider is not available in this installation", file=sys.stderr)
            return 2
        if resolve_provider(provider) is None:
            print(f"smtpbot explain: unknown provider '{provider}' (see 'smtpbot providers' for the list)",
                  file=sys.stderr)
            return 2

    queries = queries_from_argv(args.codes)
    if not queries:
        print("smtpbot explain: no code given; try 'smtpbot explain 550' or 'smtpbot explain --help'",
              file=sys.stderr)
        return 2
    result = explain(queries, provider=provider)

    for err in result.errors:
        print(f"smtpbot explain: {err}", file=sys.stderr)
    if not result.items:
        return 2

    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(result.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        from bot.render_text import print_explain

        print_explain(result)
    return 0
