"""The ``smtpbot`` command line: ``explain``, ``annotate``, ``providers``, ``serve``.

Each sub-command lives in ``bot/commands/<name>.py`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``.  Those modules must be
cheap to import (heavy imports such as Slack or rich go inside ``run``), so
that ``smtpbot explain 252`` starts fast.

Exit codes: 0 answered, 2 usage error or malformed input, 1 unexpected
failure (reported in one line, no traceback unless ``SMTPBOT_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# name -> (module, one-line help); order is the order shown by --help.
COMMANDS: dict[str, tuple[str, str]] = {
    "explain": ("bot.commands.explain", "explain SMTP reply codes and enhanced status codes, and how they differ"),
    "annotate": ("bot.commands.annotate", "annotate bounce messages, mail log lines or client errors"),
    "providers": ("bot.commands.providers", "list the mailbox providers and blocklists the knowledge base knows"),
    "serve": ("bot.commands.serve", "run the Slack app (Socket Mode or HTTP)"),
}

EPILOG = """examples:
  smtpbot explain 252 502             what each code means and how they differ
  smtpbot explain "550 5.7.26"        a reply code with its enhanced status code
  smtpbot explain --format json 421   stable JSON for scripts
  smtpbot annotate bounce.eml         who failed, why, hard or soft, what next
  smtpbot annotate - < maillog.txt    read from standard input
  smtpbot serve                       run the Slack app
"""


class _VersionAction(argparse.Action):
    """``--version``: prints ``smtpbot <version>`` from the installed package
    metadata (importlib.metadata is imported only when asked, to keep start-up fast)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("smtpbot")
        except PackageNotFoundError:
            v = "unknown (not installed)"
        print(f"smtpbot {v}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="smtpbot",
        description="Explain SMTP reply codes, enhanced status codes and bounce messages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # sub-command not built yet
        sp = sub.add_parser(
            name,
            help=help_text,
            description=(module.__doc__ or help_text).strip().splitlines()[0],
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=getattr(module, "EPILOG", None),
        )
        module.add_arguments(sp)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``smtpbot`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except Exception as exc:  # last resort: one line, never a traceback
        if os.environ.get("SMTPBOT_DEBUG"):
            raise
        print(f"smtpbot: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
