"""Classify one delivery failure into a bounce reason and hard / soft; say what to do next.

The reason vocabulary is Sisimai's (https://libsisimai.org/en/reason/, knowledge.vocabulary).
The knowledge is data, in knowledge/data/reasons/:

- ``<reason>.toml``: label, hard / soft, next step (and deferral hint), and the reason's phrase
  families (literal lower-case phrases, a few named patterns);
- ``order.toml``: the precedence of all families, tier by tier (the first match decides);
- ``status.toml``: enhanced status code (RFC 3463, IANA registry) -> reason;
- ``steps.toml``: the next steps that are not one reason's (greylisting, deferred, relayed ...);
- ``evidence.toml``: named phrase sets the command rules consult;

plus the providers' own reply texts and code tables (Sisimai's "rhost" layer) in
knowledge/data/providers/<id>.toml under ``[[reason_phrases]]`` / ``[[reason_codes]]``.

The engine (this package) holds no phrase: :mod:`~knowledge.reasons.loader` reads and validates
the files (and caches them), :mod:`~knowledge.reasons.families` is the literal-trigger index,
:mod:`~knowledge.reasons.classify` the classifier, :mod:`~knowledge.reasons.rhost` the provider
tier, :mod:`~knowledge.reasons.steps` the next steps.  Importing it is cheap (the data is read
on first use); the CLI's JSON path relies on that.  The data-derived constants below
(``REASON_LABELS``, ``NEXT_STEPS``, ``STATUS_REASON`` ...) are built on first access.
"""

from __future__ import annotations

from knowledge.reasons.classify import classify, is_hard, status_reason, text_reason
from knowledge.reasons.rhost import provider_reason
from knowledge.reasons.steps import next_step, nothing_to_resend_steps, says_nothing_to_resend, step_id
from knowledge.reasons.validate import ReasonDataError
from knowledge.vocabulary import NOT_FAILURE_REASONS, REASONS

__all__ = ["classify", "is_hard", "next_step", "provider_reason", "reason_label", "step_id", "text_reason",
           "nothing_to_resend_steps", "says_nothing_to_resend", "status_reason", "ReasonDataError",
           "REASONS", "NOT_FAILURE_REASONS", "REASON_LABELS", "NEXT_STEPS", "STATUS_REASON",
           "ASSERTED_UNKNOWN", "LATE_UNKNOWN"]


def reason_label(reason: str | None) -> str | None:
    """A human label for a Sisimai bounce reason tag (``"userunknown"`` -> ``"user unknown"``)."""
    if not reason:
        return None
    labels = globals().get("REASON_LABELS") or __getattr__("REASON_LABELS")
    return labels.get(reason, reason)


_CONSTANTS = frozenset({"REASON_LABELS", "NEXT_STEPS", "DEFERRAL_HINTS", "HARD_REASONS", "STATUS_REASON",
                        "STATUS_REASON_CLASS", "CODE_STEPS", "GREYLISTING_STEP", "GREYLISTING_FAILED_STEP",
                        "ORANGE_CODES", "SPECTRUM_CODES", "ASSERTED_UNKNOWN", "LATE_UNKNOWN",
                        "_ASSERTED_UNKNOWN", "_LATE_UNKNOWN", "_PATTERNS",
                        "_GENERIC", "_WEAK", "_PROVIDERS"})


def _constant(name: str):
    from knowledge.reasons.runtime import data, tables

    d = data()
    t = tables()
    reasons = d["reasons"]
    codes = d["order"]["provider_codes"]
    builders = {
        "REASON_LABELS": lambda: {r: e["label"] for r, e in reasons.items()},
        "NEXT_STEPS": lambda: {r: e["next_step"] for r, e in reasons.items()},
        "DEFERRAL_HINTS": lambda: {r: e["deferral_hint"] for r, e in reasons.items() if e["deferral_hint"]},
        "HARD_REASONS": lambda: t.hard,
        "STATUS_REASON": lambda: dict(d["status"]["subject_detail"]),
        "STATUS_REASON_CLASS": lambda: dict(d["status"]["class_specific"]),
        "CODE_STEPS": lambda: dict(d["code_steps"]),
        "GREYLISTING_STEP": lambda: d["steps"]["greylisting"]["text"],
        "GREYLISTING_FAILED_STEP": lambda: d["steps"]["greylisting-failed"]["text"],
        "ORANGE_CODES": lambda: dict(next(c["codes"] for c in codes if c["codes"])),
        "SPECTRUM_CODES": lambda: tuple(tuple(r) for r in next(c["ranges"] for c in codes if c["ranges"])),
        "ASSERTED_UNKNOWN": lambda: t.sets["asserted_unknown"],  # the data set "asserted_unknown"
        "LATE_UNKNOWN": lambda: t.sets["late_unknown"],  # the data set "late_unknown"
        "_ASSERTED_UNKNOWN": lambda: t.sets["asserted_unknown"],  # old private names, kept importable
        "_LATE_UNKNOWN": lambda: t.sets["late_unknown"],
        "_PATTERNS": lambda: t.strong.families,
        "_GENERIC": lambda: t.generic.families,
        "_WEAK": lambda: t.weak.families,
        "_PROVIDERS": lambda: t.provider.families,
    }
    return builders[name]()


def __getattr__(name: str):
    """The data-derived constants, built from the data files on first access and kept."""
    if name not in _CONSTANTS:  # checked first: a probe for another name (hasattr, a submodule) loads nothing
        raise AttributeError(f"module 'knowledge.reasons' has no attribute {name!r}")
    value = _constant(name)
    globals()[name] = value
    return value
