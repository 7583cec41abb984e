"""Annotate bounce messages, mail log lines or client errors: who failed, why, hard or soft, what next.

Usage: ``smtpbot annotate [--slack-text] FILE... | -`` (``-`` reads standard input).

Inputs are read literally: ``&lt;`` in a log file stays ``&lt;``.  ``--slack-text``
says the input was copied out of Slack (a message's raw text, as the Web API or an
export gives it): Slack's markup is undone first, as the Slack app does
(:func:`bot.slack.markup.unslack`: ``&amp; &lt; &gt;`` unescaped once, links,
mentions, code marks and quote markers removed).

``--format text`` (default) prints a readable annotation per input.
``--format json`` prints one JSON object per input, one per line, in input
order::

    {"source": "FILE", "kind": "bounce", "findings": [{"recipient": ..., "reply_code": ...,
     "enhanced_status": ..., "reason": ..., "hard_bounce": ..., "provider": ..., ...}],
     "notes": [...]}

Exit codes: 0 every input was read and annotated (also when an input has no
failure in it); 1 at least one input could not be read (each such input gives
one ``smtpbot annotate: FILE: reason`` line on standard error; the others are
still annotated); 2 usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys

EPILOG = """examples:
  smtpbot annotate bounce.eml
  smtpbot annotate --format json *.eml
  smtpbot annotate - < maillog.txt
  smtpbot annotate --slack-text copied-from-slack.txt

exit codes: 0 all inputs annotated, 1 some input unreadable, 2 usage error
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``FILE...`` and ``--format`` / ``--explain`` / ``--slack-text`` on ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="message or text file; '-' for standard input")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--explain", action="store_true",
                        help="json: also fill title and explanation from the knowledge base (slower: loads it; "
                             "the text format always does; provider and provider_rule are always filled)")
    parser.add_argument("--slack-text", action="store_true",
                        help="the input was copied out of Slack: undo Slack's markup first (&amp; &lt; &gt; "
                             "escapes, <mailto:...|...> links, mentions, `code` marks, &gt; quotes); "
                             "without it every input is read literally")


def from_slack(data: bytes) -> bytes:
    """Bytes of text copied out of Slack -> the plain text's UTF-8 bytes (``--slack-text``).

    Input: the file's bytes (UTF-8 assumed, bad bytes replaced).  Output: the bytes of
    :func:`bot.slack.markup.unslack` of that text, stripped (so a message pasted in a code
    block starts with its header fields and goes to the bounce parser, as in the Slack app).
    """
    from bot.slack.markup import unslack

    return unslack(data.decode("utf-8", "replace")).strip().encode("utf-8", "replace")


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as fh:
        return fh.read()


# With many inputs the JSON path splits them between two processes (os.fork):
# the parent annotates the first half, the child the second half and hands its
# output back through a pipe; output order is unchanged.  Below this many
# files the fork costs more than it saves.  SMTPBOT_ANNOTATE_WORKERS=1 turns
# the split off (one process).
PARALLEL_MIN_FILES = 48


def run(args: argparse.Namespace) -> int:
    """Annotate each input; print text or JSON lines; return the exit code."""
    # With the fork the engine is imported once, before it (_prepare_engine).
    as_json = args.format == "json"
    files = list(args.files)
    if (as_json and len(files) >= PARALLEL_MIN_FILES and "-" not in files and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and os.environ.get("SMTPBOT_ANNOTATE_WORKERS", "2") != "1"):
        return _run_forked(args, files)
    return _run_files(args, files, sys.stdout)


# Measured cost of one message in the two-process run: about 0.5 ms fixed
# (MIME parser set-up, the patterns each new kind of message compiles on first
# use, classification, provider match, JSON) plus about 0.025 ms per KB, so the
# fixed part weighs as much as ~32 KB of input.  (A contiguous split keeps
# similar messages together, so each process compiles fewer patterns than with
# an interleaved one.)
_FIXED_COST_BYTES = 32768


def _split_point(files: list[str]) -> int:
    """Index that splits ``files`` into two halves of about equal work (a fixed
    cost per message, :data:`_FIXED_COST_BYTES`, plus its size in bytes)."""
    sizes = []
    for name in files:
        try:
            sizes.append(_FIXED_COST_BYTES + os.path.getsize(name))
        except OSError:
            sizes.append(0)
    total, acc = sum(sizes), 0
    for i, size in enumerate(sizes):
        acc += size
        if acc * 2 >= total:
            return max(1, min(len(files) - 1, i + 1))
    return (len(files) + 1) // 2


def _prepare_engine() -> None:
    """Import the annotation engine and load the provider index in this
    process, so that after ``os.fork`` both halves share them (copy-on-write)
    instead of each doing the same work again."""
    import knowledge.annotate  # noqa: F401
    import knowledge.bounce  # noqa: F401

    try:
        from knowledge.providers import _index

        _index()
    except Exception:  # provider data missing or invalid: annotate without it (as _complete does)
        pass


def _run_forked(args: argparse.Namespace, files: list[str]) -> int:
    import gc

    _prepare_engine()
    # The fork idiom of the gc module's documentation: move everything that
    # exists now (the engine's modules, patterns, provider index) to the
    # permanent generation, so that neither process's collections - nor the
    # ones run at interpreter shutdown, ~10 ms otherwise - walk it again, and
    # its pages stay shared between the two processes.
    gc.freeze()
    half = _split_point(files)
    rfd, wfd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child: second half, output collected then written in one go
        os.close(rfd)
        code = 1
        try:
            buf = io.StringIO()
            code = _run_files(args, files[half:], buf)
            data = buf.getvalue().encode("utf-8")
            view = memoryview(data)
            while view:
                n = os.write(wfd, view)
                view = view[n:]
        except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
            code = 3
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(wfd)
    # The first half is collected too and written in one go: with an
    # unbuffered stdout (PYTHONUNBUFFERED) each line would be a system call.
    buf = io.StringIO()
    status = _run_files(args, files[:half], buf)
    sys.stdout.write(buf.getvalue())
    sys.stdout.flush()
    chunks = []
    with os.fdopen(rfd, "rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _, wstatus = os.waitpid(pid, 0)
    child = os.waitstatus_to_exitcode(wstatus)
    if child == 3 or child < 0:
        # The child failed: annotate its half here instead.
        return max(status, _run_files(args, files[half:], sys.stdout))
    sys.stdout.buffer.write(b"".join(chunks))
    sys.stdout.flush()
    return max(status, child)


# The cyclic garbage collector is paused while inputs are annotated: the engine's objects are freed
# by reference counting (the corpus leaves no cyclic garbage at all), so its collections were pure
# overhead, about 10% of the time of a batch.  A collection every this many inputs bounds what an odd
# input could leave behind.
GC_EVERY = 256


def _run_files(args: argparse.Namespace, files: list[str], out) -> int:
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _annotate_files(args, files, out)
    finally:
        if was_enabled:
            gc.enable()


def _annotate_files(args: argparse.Namespace, files: list[str], out) -> int:
    import gc

    from knowledge.annotate import annotate_rows

    as_json = args.format == "json"
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for all inputs
    status = 0
    console = None
    for count, name in enumerate(files, 1):
        if count % GC_EVERY == 0:
            gc.collect()
        try:
            data = _read(name)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            from knowledge.codes import printable

            print(f"smtpbot annotate: {printable(name)}: {reason}", file=sys.stderr)
            status = 1
            if as_json:  # one object per input, in input order, readable or not
                out.write(encode({"source": name, "kind": "none", "findings": [], "notes": [],
                                  "error": f"could not read: {reason}"}))
                out.write("\n")
            continue
        if getattr(args, "slack_text", False):
            data = from_slack(data)
        full = (not as_json) or args.explain
        kind, findings, notes = annotate_rows(data, explain=full, providers=True)
        if as_json:
            out.write(encode({"source": name, "kind": kind, "findings": findings, "notes": notes}))
            out.write("\n")
            continue
        if console is None:
            from bot.render_text import stdout_console

            console = stdout_console(soft_wrap=False)
        _print_text(console, name, kind, findings, notes)
    out.flush()
    return status


_KIND = {
    "bounce": "bounce (non-delivery report)",
    "delay-warning": "delay warning (still being retried; nothing to resend yet)",
    "delivery-report": "delivery report (success)",
    "auto-reply": "automatic reply",
    "feedback-report": "ARF feedback report",
    "log": "log / pasted text",
    "none": "no SMTP failure found",
}


# Findings that say what happened to a message, not why it failed: never labelled hard or soft.
_NOT_FAILURES = {"delivered": "delivered (not a failure)", "vacation": "automatic reply (not a failure)",
                 "feedback": "feedback report (not a failure)"}


def _print_text(console, name: str, kind: str, findings: list[dict], notes: list[str]) -> None:
    import textwrap

    from rich.markup import escape

    from knowledge.codes import printable
    from knowledge.reasons import reason_label
    from knowledge.severity import describe

    width = max(40, min(console.width, 120))

    def shown(value: object) -> str:
        # the input is untrusted mail: control characters (terminal escape sequences, bidi
        # overrides) are printed as visible escapes, never sent to the terminal
        return escape(printable(str(value)))

    def line(label: str, value: str, indent: int = 5) -> None:
        # hanging indent so wrapped lines stay under their label; rich must not re-wrap
        text = textwrap.fill(printable(" ".join(str(value).split())), width=width,
                             initial_indent=" " * indent + f"{label}: ", subsequent_indent=" " * (indent + 2),
                             break_long_words=False, break_on_hyphens=False)
        console.print(escape(text), soft_wrap=True)

    console.print(f"[bold]{shown(name)}[/bold]: {_KIND.get(kind, kind)}", soft_wrap=True)
    for i, f in enumerate(findings, 1):
        who = f.get("recipient") or "(recipient not stated)"
        codes = " ".join(c for c in (f.get("reply_code"), f.get("enhanced_status")) if c)
        if not f.get("enhanced_status") and f.get("inferred_status"):
            codes = (codes + " " if codes else "") + f"(likely {f['inferred_status']})"
        reason = f.get("reason")
        label = _NOT_FAILURES.get(reason or "") or (f"{reason_label(reason)} ({reason})" if reason else "unknown")
        console.print(f"  {i}. [bold]{shown(who)}[/bold]  {shown(codes or '-')}  reason: {shown(label)}",
                      soft_wrap=True)
        severity = None if reason in _NOT_FAILURES else describe(
            f.get("reply_code"), f.get("enhanced_status"), f.get("action"), f.get("hard_bounce"))
        if severity:
            line("status", severity)
        for label, key in (("command", "command"), ("remote MTA", "remote_mta"), ("provider", "provider"),
                           ("reply", "reply_text"), ("meaning", "title"), ("next step", "next_step"),
                           ("docs", "provider_doc_url")):
            v = f.get(key)
            if v:
                line(label, v)
    for n in notes:
        line("note", n, indent=2)  # about the whole input, not about the last finding
