"""List the mailbox providers and blocklists the knowledge base knows, with rule counts.

``smtpbot providers`` prints one row per provider (id, name, kind, number of
rules, documentation URL); ``--format json`` prints a JSON list of objects
``{"id", "name", "kind", "rule_count", "doc_url", "aliases"}``.
``smtpbot providers gmail`` (or any alias such as ``o365``) lists that
provider's rules instead.  Data: ``knowledge/data/providers/*.toml``.
"""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """examples:
  smtpbot providers                  providers and how many rules each has
  smtpbot providers --format json    the same as JSON
  smtpbot providers o365             the rules of one provider (any alias works)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``PROVIDER`` (optional) and ``--format {text,json}``."""
    parser.add_argument("provider", nargs="?", help="show the rules of one provider (id or alias, e.g. gmail, o365, aol)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def _print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*r)
        Console().print(table)
        return
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(columns)]
    print(title)
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def run(args: argparse.Namespace) -> int:
    """Print the catalog or one provider's rules; 0 on success, 2 for an unknown provider."""
    from knowledge.providers import ProviderDataError, catalog, resolve_provider, rules_of

    try:
        if args.provider:
            pid = resolve_provider(args.provider)
            if pid is None:
                known = ", ".join(p.id for p in catalog())
                print(f"smtpbot providers: unknown provider {args.provider!r}; known: {known}", file=sys.stderr)
                if args.format == "json":
                    print("[]")  # scripts still get a JSON document: no rules
                return 2
            notes = rules_of(pid)
            if args.format == "json":
                print(json.dumps([n.model_dump(mode="json") for n in notes], indent=2, ensure_ascii=False))
                return 0
            rows = [[n.rule_id, n.title, {True: "yes", False: "no", None: "depends"}[n.retry_helps]] for n in notes]
            _print_table(f"{notes[0].provider}: {len(notes)} rules", ["rule", "title", "retry helps"], rows)
            return 0
        cat = catalog()
    except ProviderDataError as exc:
        print(f"smtpbot providers: provider data is invalid: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        out = [
            {"id": p.id, "name": p.name, "kind": p.kind, "rule_count": p.rule_count, "doc_url": p.doc_url, "aliases": list(p.aliases)}
            for p in cat
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    rows = [[p.id, p.name, p.kind, str(p.rule_count), p.doc_url] for p in cat]
    total = sum(p.rule_count for p in cat)
    _print_table(f"{len(cat)} providers, {total} rules", ["id", "name", "kind", "rules", "documentation"], rows)
    return 0
