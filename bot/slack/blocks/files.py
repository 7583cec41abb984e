"""Notices about the files shared with a message: which were cut, which could not be read and why.

Input shapes: :class:`bot.slack.files.FileText` and :class:`bot.slack.files.Skipped` (from
:func:`bot.slack.files.read_files`). Output: mrkdwn lines, escaped, and the notice-only message
(:func:`notice_message`) shown when no file held anything to answer.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from bot.slack.blocks.layout import Message, code_span
from bot.slack.blocks.primitives import BlockPrimitives as _P
from bot.slack.files import MAX_BYTES, MAX_FILES, MAX_TEXT_CHARS, TOO_MANY, FileText, Skipped
from bot.slack.text import escape_mrkdwn


def file_names(names: Sequence[str], limit: int = 3) -> str:
    """``"`a.log`, `b.eml` and 2 more"``: at most ``limit`` file names as escaped code spans."""
    shown = [f"`{escape_mrkdwn(code_span(n)[:80])}`" for n in names[:limit]]
    if len(names) > limit:
        shown.append(f"{len(names) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def truncation_note(files: Iterable[FileText], max_bytes: int = MAX_BYTES) -> str | None:
    """One short line naming the files of which only the beginning was read (cut at ``max_bytes``
    bytes when downloaded, or at the message's :data:`MAX_TEXT_CHARS` characters of text), or None."""
    names = [f.name for f in files if f.truncated]
    if not names:
        return None
    verb = "was" if len(names) == 1 else "were"
    return (f"Only the beginning of {file_names(names)} {verb} read (at most {max_bytes // 1024:,} KiB of each "
            f"file and {MAX_TEXT_CHARS:,} characters of text per message); the rest was not annotated.")


def skipped_lines(skipped: Sequence[Skipped], max_files: int = MAX_FILES) -> list[str]:
    """Plain mrkdwn lines telling the user which files were not read and why:
    ``"I could not read `bounce.pdf`: not a text file."``, and for files over the limit
    ``"I did not read `d.eml` and `e.eml`: only the first 3 files of a message are read."``
    At most 5 files are named one per line; the rest are counted. Empty for no skipped file."""
    lines = []
    failed = [s for s in skipped if s.reason != TOO_MANY]
    for s in failed[:5]:
        lines.append(f"I could not read {file_names([s.name])}: {s.reason}.")
    if len(failed) > 5:
        lines.append(f"I could not read {len(failed) - 5} more file{'s' if len(failed) > 6 else ''}.")
    over = [s.name for s in skipped if s.reason == TOO_MANY]
    if over:
        lines.append(f"I did not read {file_names(over)}: only the first {max_files} files of a message are read.")
    return lines


# -- answers --------------------------------------------------------------------------


def notice_message(lines: Sequence[str]) -> Message:
    """A message made only of notices about the files (with a hint on how to share a bounce)."""
    body = "\n".join(lines)
    hint = "Paste the bounce or log as text, or share it as a `.eml`, `.txt` or `.log` file."
    return Message([_P.section(body), _P.context(hint)],
                   body.replace("`", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
