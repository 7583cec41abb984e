"""The in-memory form of the provider data: rules, providers, the prefilter index and the reason tables.

Built by :mod:`knowledge.providers.schema` from the parsed data files, read by
:mod:`knowledge.providers.matching` and :mod:`knowledge.providers.lookups`.
The records are plain classes with ``__slots__`` rather than dataclasses:
importing dataclasses (and the inspect module it loads) would cost ~5 ms on
every start of the CLI.  Code-shape regexes shared by the validator and the
matcher live here too (RFC 5321 section 4.2 reply codes, RFC 3463 section 2
enhanced status codes).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pydantic models are imported only when a ProviderNote is built
    from knowledge.results import ProviderNote

_REPLY_RE = re.compile(r"^[245][0-9][0-9]$")
_ENH_RE = re.compile(r"^([245])\.([0-9]{1,3})\.([0-9]{1,3})$")


class ProviderDataError(ValueError):
    """A provider data file is missing a field or holds a malformed value.

    The message names the file and the entry (rule id, or ``reason_phrases #2``) so the data can be fixed.
    """


class ProviderInfo(NamedTuple):
    """One row of :func:`knowledge.providers.catalog`: ``id``, display ``name``, ``kind``
    (mailbox / filter / blocklist), ``rule_count``, main ``doc_url`` and the
    ``aliases`` :func:`knowledge.providers.resolve_provider` accepts.  Immutable."""

    id: str
    name: str
    kind: str
    rule_count: int
    doc_url: str
    aliases: tuple[str, ...] = ()


class ReasonPhrases:
    """One ``[[reason_phrases]]`` entry of a provider data file: replies of this provider whose text decides
    the bounce reason (Sisimai's per-receiver "rhost" tables).  Read-only by convention.

    ``provider_id`` and ``file`` (``"gmail.toml"``) say where it is written, ``entry`` its position in that
    file (1-based, as in error messages); ``reason`` a Sisimai failure reason (knowledge.vocabulary.REASONS);
    ``phrases`` lower-case literals; ``patterns`` compiled regexes (matched against lower-cased text; empty
    when the entry has none); ``sources`` the documentation URLs; ``checked`` the ISO date they were checked.
    (A plain class, not a NamedTuple: creating a NamedTuple class costs ~0.2 ms on every CLI start.)
    """

    __slots__ = ("provider_id", "file", "entry", "reason", "phrases", "patterns", "sources", "checked")

    def __init__(self, *, provider_id: str, file: str, entry: int, reason: str, phrases: tuple[str, ...],
                 patterns: tuple[re.Pattern[str], ...], sources: tuple[str, ...], checked: str) -> None:
        self.provider_id = provider_id
        self.file = file
        self.entry = entry
        self.reason = reason
        self.phrases = phrases
        self.patterns = patterns
        self.sources = sources
        self.checked = checked

    def __repr__(self) -> str:
        return f"ReasonPhrases({self.file} #{self.entry}: {self.reason})"


class ReasonCodes:
    """One ``[[reason_codes]]`` entry: a provider's own internal code numbers and the reason each gives.

    ``pattern`` is a compiled regex with exactly one capture group (the code number, matched against
    lower-cased text); ``codes`` maps a captured code (``"101"``) to a reason; ``ranges`` are inclusive
    numeric ranges ``(lo, hi, reason)`` tried in file order after ``codes``.  :meth:`reason_for` applies
    them.  ``provider_id``, ``file``, ``entry``, ``sources`` and ``checked`` as in :class:`ReasonPhrases`.
    """

    __slots__ = ("provider_id", "file", "entry", "pattern", "codes", "ranges", "sources", "checked")

    def __init__(self, *, provider_id: str, file: str, entry: int, pattern: re.Pattern[str], codes: dict[str, str],
                 ranges: tuple[tuple[int, int, str], ...], sources: tuple[str, ...], checked: str) -> None:
        self.provider_id = provider_id
        self.file = file
        self.entry = entry
        self.pattern = pattern
        self.codes = codes
        self.ranges = ranges
        self.sources = sources
        self.checked = checked

    def __repr__(self) -> str:
        return f"ReasonCodes({self.file} #{self.entry})"

    def reason_for(self, code: str) -> str | None:
        """The reason for one captured code (``"1000"`` -> ``"blocked"``), or None when no entry names it."""
        got = self.codes.get(code)
        if got is not None or not self.ranges or not code.isdigit():
            return got
        num = int(code)
        for lo, hi, reason in self.ranges:
            if lo <= num <= hi:
                return reason
        return None


class _Rule:
    """One provider rule as loaded from a data file (see :mod:`knowledge.providers.schema`
    for the fields' meaning); ``note`` caches its ProviderNote."""

    __slots__ = ("id", "provider_id", "title", "meaning", "remedy", "retry_helps", "doc_url", "reply", "enh_exact",
                 "enh_ranges", "classes", "markers", "pattern_src", "identifies", "id_markers", "order", "redefines",
                 "first_codes", "query_token", "reason", "note", "_pattern", "returned_only")

    def __init__(
        self, *, id: str, provider_id: str, title: str, meaning: str, remedy: str, retry_helps: bool | None,
        doc_url: str, reply: frozenset[str], enh_exact: frozenset[str],
        enh_ranges: tuple[tuple[int, int, int, int], ...], classes: frozenset[str], markers: tuple[str, ...],
        pattern_src: str | None, identifies: bool, order: int, redefines: frozenset[str] = frozenset(),
        first_codes: tuple[str | None, str | None] = (None, None), query_token: str | None = None,
        reason: str | None = None, note: "ProviderNote | None" = None, id_markers: tuple[str, ...] | None = None,
        returned_only: bool = False,
    ) -> None:
        self.id = id
        self.provider_id = provider_id
        self.title = title
        self.meaning = meaning
        self.remedy = remedy
        self.retry_helps = retry_helps
        self.returned_only = returned_only
        self.doc_url = doc_url
        self.reply = reply
        self.enh_exact = enh_exact
        self.enh_ranges = enh_ranges  # (class, subject, lo, hi)
        self.classes = classes
        self.markers = markers  # lower-cased literals
        self.pattern_src = pattern_src
        self.identifies = identifies
        # the markers that identify the provider on their own (all of them, or the listed subset)
        self.id_markers = (markers if id_markers is None else id_markers) if identifies else ()
        self.order = order
        self.redefines = redefines
        self.first_codes = first_codes  # (reply, enhanced) the rule lists first
        self.query_token = query_token
        self.reason = reason  # Sisimai reason name or None
        self.note = note
        self._pattern: re.Pattern[str] | None = None

    def __repr__(self) -> str:
        return f"_Rule(id={self.id!r})"

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """The rule's regex, compiled on first use (keeps loading cheap)."""
        if self.pattern_src is None:
            return None
        if self._pattern is None:
            self._pattern = re.compile(self.pattern_src, re.IGNORECASE)
        return self._pattern

    def enh_matches(self, enh: str) -> bool:
        """True when the enhanced status code ``enh`` is one of the rule's codes or in one of its ranges."""
        if enh in self.enh_exact:
            return True
        if not self.enh_ranges:
            return False
        m = _ENH_RE.match(enh)
        if not m:
            return False
        c, s, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        for rc, rs, lo, hi in self.enh_ranges:
            if rc == c and rs == s and lo <= d <= hi:
                return True
        return False

    @property
    def has_enhanced(self) -> bool:
        return bool(self.enh_exact or self.enh_ranges)


class _Provider:
    """One provider data file: identity, host globs (``(prefix, suffix)``
    around the single "*", or ``(host, "")`` when exact), host anchors,
    signatures, its rules and, per failure class ("4" / "5" / ""), the rules
    that can apply; and its raw reason tables (validated, not yet compiled)."""

    __slots__ = ("id", "name", "kind", "doc_url", "aliases", "host_globs", "host_anchors", "signatures", "rules",
                 "by_class", "file", "reason_phrases", "reason_codes")

    def __init__(self, *, id: str, name: str, kind: str, doc_url: str, aliases: tuple[str, ...],
                 host_globs: tuple[tuple[str, str], ...], host_anchors: tuple[str, ...],
                 signatures: tuple[str, ...], file: str = "") -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.doc_url = doc_url
        self.aliases = aliases
        self.host_globs = host_globs
        self.host_anchors = host_anchors
        self.signatures = signatures
        self.file = file
        self.rules: list[_Rule] = []
        self.by_class: dict[str, list[_Rule]] = {}
        self.reason_phrases: list[dict] = []  # the checked [[reason_phrases]] tables, compiled on request
        self.reason_codes: list[dict] = []

    def __repr__(self) -> str:
        return f"_Provider(id={self.id!r})"

    def host_matches(self, host: str) -> bool:
        """True when the lower-case host name matches one of the provider's globs."""
        for pre, suf in self.host_globs:
            if not suf:
                if host == pre:
                    return True
            elif len(host) > len(pre) + len(suf) and host.startswith(pre) and host.endswith(suf):
                return True
        return False


class _Index:
    """Everything loaded from the data files, with flattened prefilters:
    ``provider_literals`` (literal, provider, is_signature) for signatures and
    host anchors; ``marker_pairs`` per failure class ("4", "5", "") the
    (marker, rule) pairs of identifying rules that can apply to that class;
    ``exact_hosts`` and ``host_suffixes`` (".example.com" -> [(prefix before
    "*", provider)]) for host lookups."""

    __slots__ = ("providers", "aliases", "rules", "identifying", "provider_literals", "marker_pairs", "exact_hosts",
                 "host_suffixes", "literal_index", "marker_index", "reason_tables")

    def __init__(self, *, providers: dict[str, _Provider], aliases: dict[str, str], rules: dict[str, _Rule],
                 identifying: list[_Rule], provider_literals: list[tuple[str, _Provider, bool]],
                 marker_pairs: dict[str, list[tuple[str, _Rule]]], exact_hosts: dict[str, _Provider],
                 host_suffixes: dict[str, list[tuple[str, _Provider]]]) -> None:
        self.providers = providers
        self.aliases = aliases
        self.rules = rules
        self.identifying = identifying
        self.provider_literals = provider_literals
        self.marker_pairs = marker_pairs
        self.exact_hosts = exact_hosts
        self.host_suffixes = host_suffixes
        # The same prefilters grouped by distinct literal, so that the hot path
        # tests each literal once with a list comprehension and looks at the
        # owners of the few that occur: (literals, literal -> owners).
        lit_owners: dict[str, list[tuple[_Provider, bool]]] = {}
        for lit, prov, is_signature in provider_literals:
            lit_owners.setdefault(lit, []).append((prov, is_signature))
        self.literal_index = (tuple(lit_owners), lit_owners)
        self.marker_index: dict[str, tuple[tuple[str, ...], dict[str, list[_Rule]]]] = {}
        for cls, pairs in marker_pairs.items():
            mk_rules: dict[str, list[_Rule]] = {}
            for mk, rule in pairs:
                mk_rules.setdefault(mk, []).append(rule)
            self.marker_index[cls] = (tuple(mk_rules), mk_rules)
        # (phrase tables, code tables), compiled on the first request (knowledge.providers.loader)
        self.reason_tables: tuple[tuple[ReasonPhrases, ...], tuple[ReasonCodes, ...]] | None = None

    def provider_of_host(self, host: str) -> _Provider | None:
        """The provider whose MX/outbound host globs match ``host`` (lower case), or None."""
        prov = self.exact_hosts.get(host)
        if prov is not None:
            return prov
        i = host.find(".")
        while i != -1:
            for pre, prov in self.host_suffixes.get(host[i:], ()):
                if i >= len(pre) and host.startswith(pre):
                    return prov
            i = host.find(".", i + 1)
        return None
