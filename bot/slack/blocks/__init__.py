"""Block Kit rendering of the knowledge results, within Slack's limits.

Every reply is a :class:`Message`: Block Kit blocks built with
``slack_sdk.models.blocks`` (whose validators check the documented limits when
``to_dict()`` runs) plus a plain ``text`` fallback for notifications and
clients that cannot show blocks. By what they render:

* :mod:`~bot.slack.blocks.layout`       Slack's limits, :class:`Message`, splitting and trimming
* :mod:`~bot.slack.blocks.primitives`   header / section / context blocks, escaping and masking
* :mod:`~bot.slack.blocks.explanation`  one code explained (and the ``explain`` answer)
* :mod:`~bot.slack.blocks.comparison`   several codes compared
* :mod:`~bot.slack.blocks.annotation`   the findings of a bounce, log or file, grouped
* :mod:`~bot.slack.blocks.messages`     help, short help, errors, the apology
* :mod:`~bot.slack.blocks.home`         the App Home tab
* :mod:`~bot.slack.blocks.files`        notices about shared files (cut, unreadable)

:class:`Renderer` (``Renderer(mask=True)``) combines the explanation, comparison and
annotation blocks. Input shapes are the shared result contract in :mod:`knowledge.results`.
Every user-supplied string is escaped for mrkdwn, and, when ``mask`` is true, e-mail
addresses are masked (:mod:`bot.slack.masking`).
"""

from __future__ import annotations

from bot.slack.blocks.annotation import (
    NOT_FAILURE_ACTIONS, AnnotationBlocks, command_label, is_failure, wording,
)
from bot.slack.blocks.explanation import ExplanationBlocks
from bot.slack.blocks.home import home_view
from bot.slack.blocks.layout import (
    COMPACT_OVER, ELLIPSIS, MAX_BLOCKS, MAX_CONTEXT, MAX_FALLBACK, MAX_FIELD, MAX_FIELDS, MAX_HEADER,
    MAX_MESSAGE_TEXT, MAX_SECTION, MESSAGE_ROOM, QUOTE_MAX, SECTION_ROOM, Message, block_text_length,
    code_span, first_sentence, fit_one_message, pack_lines, split_blocks, trim, trim_sentence,
)
from bot.slack.blocks.messages import (
    APOLOGY, HELP_EXAMPLES, apology_message, error_message, help_message, short_help_message,
)
from knowledge.reasons import REASON_LABELS, reason_label  # noqa: F401 - re-exported for the renderer's users


class Renderer(ExplanationBlocks, AnnotationBlocks):
    """Builds every reply's blocks; ``mask`` masks addresses in every user-derived string.

    ``explain(result)`` -> (main message, thread messages); ``annotation(annotation)`` ->
    [message]; the block primitives (``header``, ``section``, ``context``) are static.
    """


__all__ = [
    "APOLOGY", "COMPACT_OVER", "ELLIPSIS", "HELP_EXAMPLES", "MAX_BLOCKS", "MAX_CONTEXT",
    "MAX_FALLBACK", "MAX_FIELD", "MAX_FIELDS", "MAX_HEADER", "MAX_MESSAGE_TEXT", "MAX_SECTION",
    "MESSAGE_ROOM", "NOT_FAILURE_ACTIONS", "QUOTE_MAX", "REASON_LABELS", "SECTION_ROOM", "Message",
    "Renderer", "apology_message", "block_text_length", "code_span", "command_label", "error_message",
    "first_sentence", "fit_one_message", "help_message", "home_view", "is_failure", "pack_lines",
    "reason_label", "short_help_message", "split_blocks", "trim", "trim_sentence", "wording",
]
