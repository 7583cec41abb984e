"""Provider knowledge: what a mailbox provider or a blocklist means by a response.

The same reply code and enhanced status code can mean different things at
different receivers: Gmail's ``4.7.27`` is "SPF did not pass" where the IANA
registry says "sender address has null MX"; Microsoft's ``5.1.10`` is "recipient
not found" where IANA says "recipient address has null MX" (RFC 7505).  This
module holds one data file per provider in ``knowledge/data/providers/*.toml``
and answers three questions:

* :func:`resolve_provider` -- which provider does a word name (``"o365"`` ->
  ``"microsoft"``)?
* :func:`lookup` -- what does provider P mean by these codes (``smtpbot explain
  5.7.26 --provider gmail``)?
* :func:`match` -- does a pasted response come from a known provider or
  blocklist, and which of its rules fits (annotation of bounces)?

:func:`catalog` lists the providers for ``smtpbot providers`` and the Slack App
Home.

Data file shape (validated on load, see :func:`validate_provider_data`)::

    id = "gmail"                       # provider id, [a-z0-9]+
    name = "Gmail / Google Workspace"  # display name
    kind = "mailbox"                   # mailbox | filter | blocklist
    doc_url = "https://..."            # the provider's main public doc page
    aliases = ["google", "workspace"]  # words resolve_provider() accepts
    hosts = ["gmail-smtp-in.l.google.com", "*.google.com"]   # MX / outbound host globs
    signatures = ["gsmtp"]             # literal text that, by itself, shows this provider sent the text

    [[rules]]
    id = "gmail.dmarc-reject"          # "<provider id>.<slug>", unique across all files
    title = "..."
    reply = ["550"]                    # reply codes (RFC 5321 section 4.2), optional
    enhanced = ["5.7.26", "5.7.1"]     # enhanced codes or ranges "5.7.606-5.7.649", optional
    markers = ["DMARC policy"]         # literal text, case-insensitive, any one must be present
    pattern = 'AS\\(\\d+\\)'           # optional regex that must also match (checked after markers)
    identifies = false                 # true: a marker alone proves the provider (e.g. "[TSS04]"); or a list of
                                       # the markers that do (["[hme1]"]) when the others are common words.
                                       # Only a provider's own token (a code such as "[TSS04]", "AUP#CDRBL",
                                       # "RESOLVER.ADR", "S3150", a provider URL) may identify: wording that
                                       # another receiver could send ("connection rejected by policy",
                                       # "greylisted") needs the provider's host or signature.
    meaning = "..."                    # the provider's meaning, in our words
    remedy = "..."                     # what to change, which form to use
    retry_helps = false                # true / false; omit when it depends
    doc_url = "https://..."            # the provider's public documentation for this rule
    redefines = ["4.7.27"]             # codes of this rule whose IANA detail meaning the provider does not use
    reason = "authfailure"             # optional: the Sisimai bounce reason (https://libsisimai.org/en/reason/)
                                       # the provider's documentation gives this refusal; one of
                                       # knowledge.reasons.REASONS.  When a rule with a reason matches, the
                                       # annotation takes its reason and hard/soft from it (see
                                       # knowledge.annotate), the way Sisimai's per-receiver tables decide.
    query_token = 'TSS0[1-8]'          # optional regex: a marker a user may ask about on its own ("/smtp TSS04"),
                                       # matched in full, case-insensitive, without the surrounding [ ]

Matching (:func:`match`) is precise rather than eager: a rule without markers
only applies once the provider is identified by a host name (in ``hosts`` or in
the text) or by a signature; a generic ``550 5.7.1`` from an unknown host
matches nothing.  Everything is precompiled on first use; the hot path does
lower-casing once, then substring tests, and runs a regex only when a
rule's cheap literal test already passed.  All regexes are linear (no nested
quantifiers) so no catastrophic backtracking is possible.
"""

from __future__ import annotations

import marshal
import os
import re
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

from knowledge.vocabulary import NOT_FAILURE_REASONS, REASONS

if TYPE_CHECKING:  # pydantic models are imported only when a ProviderNote is built
    from knowledge.results import ProviderNote

__all__ = [
    "DATA_DIR",
    "ProviderDataError",
    "ProviderInfo",
    "catalog",
    "lookup",
    "match",
    "provider_ids",
    "redefines",
    "resolve_provider",
    "rule_for_token",
    "rules_for_code",
    "rules_of",
    "validate_provider_data",
]

DATA_DIR = Path(__file__).resolve().parent / "data" / "providers"

_KINDS = ("mailbox", "filter", "blocklist")
_PROVIDER_ID_RE = re.compile(r"^[a-z0-9]+$")
_RULE_ID_RE = re.compile(r"^([a-z0-9]+)\.[a-z0-9][a-z0-9.-]*$")
_REPLY_RE = re.compile(r"^[245][0-9][0-9]$")
_ENH_RE = re.compile(r"^([245])\.([0-9]{1,3})\.([0-9]{1,3})$")
_HOST_GLOB_RE = re.compile(r"^[a-z0-9*][a-z0-9*.-]*[a-z0-9]$")
_URL_RE = re.compile(r"^https?://[^\s]+$")
# The Sisimai reason names a rule's ``reason`` may take (knowledge.vocabulary, cheap to import), and
# those that describe the message's fate rather than a receiver's refusal: no provider rule gives them.
_REASON_NAMES = frozenset(REASONS)
_NOT_RULE_REASONS = NOT_FAILURE_REASONS

# First code pair in a text, used only when the caller passes no codes.
_CODES_IN_TEXT = re.compile(
    r"(?<![0-9.])([245][0-9][0-9])(?:[ -]+([245]\.[0-9]{1,3}\.[0-9]{1,3}))?(?![0-9])"
)
# Continuation prefixes inside a folded multi-line reply ("... multiple 550 5.7.1 addresses ...",
# "550-5.7.26 domain's DMARC policy") that would split marker phrases; removed before marker tests.
_CONTINUATION = re.compile(r"(?<=\s)[245][0-9][0-9][ -](?:[245]\.[0-9]{1,3}\.[0-9]{1,3}\s)?")
_ENH_IN_TEXT = re.compile(r"(?<![0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9.])")


class ProviderDataError(ValueError):
    """A provider data file is missing a field or holds a malformed value.

    The message names the file and the rule id so the data can be fixed.
    """


class ProviderInfo(NamedTuple):
    """One row of :func:`catalog`: ``id``, display ``name``, ``kind``
    (mailbox / filter / blocklist), ``rule_count``, main ``doc_url`` and the
    ``aliases`` :func:`resolve_provider` accepts.  Immutable."""

    id: str
    name: str
    kind: str
    rule_count: int
    doc_url: str
    aliases: tuple[str, ...] = ()


# The internal records below are plain classes with __slots__ rather than
# dataclasses: importing dataclasses (and the inspect module it loads) would
# cost ~5 ms on every start of the CLI.


class _Rule:
    """One provider rule as loaded from a data file (see the module docstring
    for the fields' meaning); ``note`` caches its ProviderNote."""

    __slots__ = ("id", "provider_id", "title", "meaning", "remedy", "retry_helps", "doc_url", "reply", "enh_exact",
                 "enh_ranges", "classes", "markers", "pattern_src", "identifies", "id_markers", "order", "redefines",
                 "first_codes", "query_token", "reason", "note", "_pattern")

    def __init__(
        self, *, id: str, provider_id: str, title: str, meaning: str, remedy: str, retry_helps: bool | None,
        doc_url: str, reply: frozenset[str], enh_exact: frozenset[str],
        enh_ranges: tuple[tuple[int, int, int, int], ...], classes: frozenset[str], markers: tuple[str, ...],
        pattern_src: str | None, identifies: bool, order: int, redefines: frozenset[str] = frozenset(),
        first_codes: tuple[str | None, str | None] = (None, None), query_token: str | None = None,
        reason: str | None = None, note: "ProviderNote | None" = None, id_markers: tuple[str, ...] | None = None,
    ) -> None:
        self.id = id
        self.provider_id = provider_id
        self.title = title
        self.meaning = meaning
        self.remedy = remedy
        self.retry_helps = retry_helps
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
        if enh in self.enh_exact:
            return True
        if self.enh_ranges:
            m = _ENH_RE.match(enh)
            if m:
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
    that can apply."""

    __slots__ = ("id", "name", "kind", "doc_url", "aliases", "host_globs", "host_anchors", "signatures", "rules",
                 "by_class")

    def __init__(self, *, id: str, name: str, kind: str, doc_url: str, aliases: tuple[str, ...],
                 host_globs: tuple[tuple[str, str], ...], host_anchors: tuple[str, ...],
                 signatures: tuple[str, ...]) -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.doc_url = doc_url
        self.aliases = aliases
        self.host_globs = host_globs
        self.host_anchors = host_anchors
        self.signatures = signatures
        self.rules: list[_Rule] = []
        self.by_class: dict[str, list[_Rule]] = {}

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
                 "host_suffixes", "literal_index", "marker_index")

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

    def provider_of_host(self, host: str) -> _Provider | None:
        """The provider whose MX/outbound host globs match ``host`` (lower case), or None."""
        prov = self.exact_hosts.get(host)
        if prov is not None:
            return prov
        i = host.find(".")
        while i != -1:
            entries = self.host_suffixes.get(host[i:])
            if entries:
                for pre, prov in entries:
                    if i >= len(pre) and host.startswith(pre):
                        return prov
            i = host.find(".", i + 1)
        return None


_INDEX: _Index | None = None
_LOCK = threading.Lock()


# --------------------------------------------------------------------------- loading


def _norm_word(word: str) -> str:
    w = word.strip().lower().lstrip("@")
    return re.sub(r"[\s_/-]+", "", w)


def _split_glob(glob: str) -> tuple[str, str]:
    # "*" spans labels: "*.yahoodns.net" matches "mx-aol.mail.gm0.yahoodns.net".
    if "*" not in glob:
        return glob, ""
    pre, suf = glob.split("*", 1)
    return pre, suf


def _anchor(glob: str) -> str:
    return glob.rsplit("*", 1)[-1].lstrip(".-")


_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


def _hosts_around(lower: str, anchor: str) -> Iterable[str]:
    """Host names in ``lower`` that contain ``anchor`` (expanded to host-name characters)."""
    start = lower.find(anchor)
    n = len(lower)
    while start != -1:
        left = start
        while left > 0 and lower[left - 1] in _HOST_CHARS:
            left -= 1
        right = start + len(anchor)
        while right < n and lower[right] in _HOST_CHARS:
            right += 1
        yield lower[left:right].strip(".-")
        start = lower.find(anchor, right)


def _parse_enhanced(value: str, where: str) -> tuple[str | None, tuple[int, int, int, int] | None]:
    if "-" in value:
        lo_s, hi_s = (v.strip() for v in value.split("-", 1))
        lo, hi = _ENH_RE.match(lo_s), _ENH_RE.match(hi_s)
        if not lo or not hi or lo.group(1, 2) != hi.group(1, 2) or int(lo.group(3)) > int(hi.group(3)):
            raise ProviderDataError(f"{where}: bad enhanced code range {value!r} (want e.g. '5.7.606-5.7.649')")
        return None, (int(lo.group(1)), int(lo.group(2)), int(lo.group(3)), int(hi.group(3)))
    if not _ENH_RE.match(value):
        raise ProviderDataError(f"{where}: bad enhanced status code {value!r} (want e.g. '5.7.26')")
    return value, None


def _str(d: dict, key: str, where: str, required: bool = True) -> str:
    v = d.get(key)
    if v is None:
        if required:
            raise ProviderDataError(f"{where}: missing required field {key!r}")
        return ""
    if not isinstance(v, str) or (required and not v.strip()):
        raise ProviderDataError(f"{where}: field {key!r} must be a non-empty string")
    return v.strip()


def _strlist(d: dict, key: str, where: str) -> list[str]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ProviderDataError(f"{where}: field {key!r} must be a list of non-empty strings")
    return [x.strip() for x in v]


_PROVIDER_KEYS = {"id", "name", "kind", "doc_url", "aliases", "hosts", "signatures", "sources", "rules",
                  "reason_phrases", "reason_codes"}  # the last two: read by knowledge.reasons (rhost layer)
_RULE_KEYS = {
    "id", "title", "reply", "enhanced", "markers", "pattern", "identifies", "meaning", "remedy",
    "retry_helps", "doc_url", "sources", "redefines", "query_token", "reason",
}


def _build_provider(data: dict, path: Path, order_start: int, compile_patterns: bool = False) -> _Provider:
    where = path.name
    unknown = set(data) - _PROVIDER_KEYS
    if unknown:
        raise ProviderDataError(f"{where}: unknown field(s) {sorted(unknown)}")
    pid = _str(data, "id", where)
    if not _PROVIDER_ID_RE.match(pid):
        raise ProviderDataError(f"{where}: provider id {pid!r} must be lower-case letters and digits")
    if path.stem != pid:
        raise ProviderDataError(f"{where}: file name must be {pid}.toml")
    kind = _str(data, "kind", where)
    if kind not in _KINDS:
        raise ProviderDataError(f"{where}: kind {kind!r} is not one of {_KINDS}")
    doc_url = _str(data, "doc_url", where)
    if not _URL_RE.match(doc_url):
        raise ProviderDataError(f"{where}: doc_url {doc_url!r} is not an http(s) URL")
    hosts = [h.lower() for h in _strlist(data, "hosts", where)]
    for h in hosts:
        if not _HOST_GLOB_RE.match(h) or h.count("*") > 1:
            raise ProviderDataError(f"{where}: host pattern {h!r} is not a host name glob with at most one '*'")
        if "*" in h and not _split_glob(h)[1].startswith("."):
            raise ProviderDataError(f"{where}: host pattern {h!r} must have '.' right after the '*' (e.g. '*.example.com')")
        if "." not in _anchor(h):
            raise ProviderDataError(f"{where}: host pattern {h!r} needs a domain after the '*'")
    signatures = tuple(s.lower() for s in _strlist(data, "signatures", where))
    all_anchors = {_anchor(h) for h in hosts}
    # An anchor that contains a shorter anchor of the same provider adds no information to the prefilter.
    anchors = tuple(sorted(a for a in all_anchors if not any(b != a and b in a for b in all_anchors)))
    prov = _Provider(
        id=pid,
        name=_str(data, "name", where),
        kind=kind,
        doc_url=doc_url,
        aliases=tuple(_strlist(data, "aliases", where)),
        host_globs=tuple(_split_glob(h) for h in hosts),
        host_anchors=anchors,
        signatures=signatures,
    )
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ProviderDataError(f"{where}: needs at least one [[rules]] entry")
    for i, r in enumerate(rules):
        if not isinstance(r, dict):
            raise ProviderDataError(f"{where}: rule #{i + 1} is not a table")
        rid = r.get("id") if isinstance(r.get("id"), str) else f"#{i + 1}"
        rwhere = f"{where} rule {rid}"
        unknown = set(r) - _RULE_KEYS
        if unknown:
            raise ProviderDataError(f"{rwhere}: unknown field(s) {sorted(unknown)}")
        rid = _str(r, "id", rwhere)
        m = _RULE_ID_RE.match(rid)
        if not m or m.group(1) != pid:
            raise ProviderDataError(f"{rwhere}: rule id must look like '{pid}.some-slug'")
        reply = _strlist(r, "reply", rwhere)
        for c in reply:
            if not _REPLY_RE.match(c):
                raise ProviderDataError(f"{rwhere}: bad reply code {c!r} (want three digits, 2xx-5xx)")
        exact: list[str] = []
        ranges: list[tuple[int, int, int, int]] = []
        for e in _strlist(r, "enhanced", rwhere):
            ex, rg = _parse_enhanced(e, rwhere)
            if ex:
                exact.append(ex)
            if rg:
                ranges.append(rg)
        markers = tuple(mk.lower() for mk in _strlist(r, "markers", rwhere))
        pat_src = _str(r, "pattern", rwhere, required=False) or None
        if pat_src is not None and compile_patterns:
            try:
                re.compile(pat_src, re.IGNORECASE)
            except re.error as exc:
                raise ProviderDataError(f"{rwhere}: pattern does not compile: {exc}") from None
        if pat_src is not None and not markers:
            raise ProviderDataError(f"{rwhere}: a pattern needs at least one literal marker (cheap prefilter)")
        if not (reply or exact or ranges or markers):
            raise ProviderDataError(f"{rwhere}: needs codes (reply/enhanced) or markers")
        identifies = r.get("identifies", False)
        id_markers: tuple[str, ...] | None = None
        if isinstance(identifies, list):
            id_markers = tuple(mk.lower() for mk in _strlist(r, "identifies", rwhere))
            if not id_markers or any(mk not in markers for mk in id_markers):
                raise ProviderDataError(f"{rwhere}: identifies lists {list(id_markers)!r}; it must name some of "
                                        f"the rule's markers")
            identifies = True
        elif not isinstance(identifies, bool):
            raise ProviderDataError(f"{rwhere}: identifies must be true, false or a list of the rule's markers")
        if identifies and not markers:
            raise ProviderDataError(f"{rwhere}: identifies = true needs markers")
        retry = r.get("retry_helps")
        if retry is not None and not isinstance(retry, bool):
            raise ProviderDataError(f"{rwhere}: retry_helps must be true or false (or omitted)")
        rdoc = _str(r, "doc_url", rwhere)
        if not _URL_RE.match(rdoc):
            raise ProviderDataError(f"{rwhere}: doc_url {rdoc!r} is not an http(s) URL")
        redefines = _strlist(r, "redefines", rwhere)
        for c in redefines:
            if c not in exact:
                raise ProviderDataError(f"{rwhere}: redefines lists {c!r}, which is not one of the rule's enhanced codes")
        qtok = _str(r, "query_token", rwhere, required=False) or None
        if qtok is not None and compile_patterns:
            try:
                re.compile(qtok, re.IGNORECASE)
            except re.error as exc:
                raise ProviderDataError(f"{rwhere}: query_token does not compile: {exc}") from None
        reason = r.get("reason")
        if reason is not None and (not isinstance(reason, str) or reason not in _REASON_NAMES
                                   or reason in _NOT_RULE_REASONS):
            allowed = ", ".join(sorted(_REASON_NAMES - _NOT_RULE_REASONS))
            raise ProviderDataError(f"{rwhere}: field 'reason' is {reason!r}, not a Sisimai failure reason "
                                    f"(one of: {allowed})")
        first_reply = reply[0] if reply else None
        first_enh = next((e for e in exact if first_reply is None or e[0] == first_reply[0]), None)
        classes = {c[0] for c in reply} | {c[0] for c in exact} | {str(rg[0]) for rg in ranges}
        prov.rules.append(
            _Rule(
                id=rid,
                provider_id=pid,
                title=_str(r, "title", rwhere),
                meaning=_str(r, "meaning", rwhere),
                remedy=_str(r, "remedy", rwhere),
                retry_helps=retry,
                doc_url=rdoc,
                reply=frozenset(reply),
                enh_exact=frozenset(exact),
                enh_ranges=tuple(ranges),
                classes=frozenset(classes),
                markers=markers,
                pattern_src=pat_src,
                identifies=identifies,
                id_markers=id_markers,
                order=order_start + i,
                redefines=frozenset(redefines),
                first_codes=(first_reply, first_enh),
                query_token=qtok,
                reason=reason,
            )
        )
    return prov


_CACHE_VERSION = 3  # 3: rules may carry a "reason"


def _cache_file(paths: list[Path]) -> Path | None:
    """Where the parsed data files are cached (keyed by names, sizes, mtimes), or None when disabled."""
    if os.environ.get("SMTPBOT_NO_CACHE"):
        return None
    base = os.environ.get("SMTPBOT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "smtpbot"
    )
    key = "\n".join([str(_CACHE_VERSION)] + [f"{p}|{st.st_size}|{st.st_mtime_ns}" for p, st in
                                              ((path, path.stat()) for path in paths)]).encode()
    # Two independent 32-bit checksums (zlib is loaded at interpreter start; hashlib
    # would cost ~2 ms to import on every CLI start): a 64-bit name per set of files.
    digest = f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"
    return Path(base) / f"providers-{digest}.marshal"


def _read_files(paths: list[Path], use_cache: bool) -> list[dict]:
    """Parse every TOML file; a marshal cache of the parsed dicts avoids re-parsing unchanged files."""
    cache = _cache_file(paths) if use_cache else None
    if cache is not None:
        try:
            data = marshal.loads(cache.read_bytes())
            if isinstance(data, list) and len(data) == len(paths):
                return data
        except (OSError, ValueError, EOFError, TypeError):
            pass
    import tomllib  # only when the cache is cold: importing it costs ~2 ms

    out = []
    for path in paths:
        try:
            with path.open("rb") as fh:
                out.append(tomllib.load(fh))
        except tomllib.TOMLDecodeError as exc:
            raise ProviderDataError(f"{path.name}: not valid TOML: {exc}") from None
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(out))
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass  # read-only home or odd values: work without the cache
    return out


def _load(data_dir: Path = DATA_DIR, use_cache: bool = True, compile_patterns: bool = False) -> _Index:
    providers: dict[str, _Provider] = {}
    aliases: dict[str, str] = {}
    rules: dict[str, _Rule] = {}
    order = 0
    paths = sorted(data_dir.glob("*.toml"))
    if not paths:
        raise ProviderDataError(f"no provider data files in {data_dir}")
    for path, data in zip(paths, _read_files(paths, use_cache)):
        if not isinstance(data, dict):
            raise ProviderDataError(f"{path.name}: not a TOML table")
        prov = _build_provider(data, path, order, compile_patterns)
        prov.by_class = {cls: [r for r in prov.rules if not r.classes or cls in r.classes] for cls in "45"}
        prov.by_class[""] = prov.rules
        order += len(prov.rules)
        if prov.id in providers:
            raise ProviderDataError(f"{path.name}: duplicate provider id {prov.id!r}")
        providers[prov.id] = prov
        for rule in prov.rules:
            if rule.id in rules:
                raise ProviderDataError(f"{path.name}: duplicate rule id {rule.id!r}")
            rules[rule.id] = rule
        for word in (prov.id, prov.name, *prov.aliases):
            key = _norm_word(word)
            other = aliases.get(key)
            if other is not None and other != prov.id:
                raise ProviderDataError(f"{path.name}: alias {word!r} already names {other!r}")
            aliases[key] = prov.id
    identifying = [r for p in providers.values() for r in p.rules if r.identifies]
    literals: list[tuple[str, _Provider, bool]] = []
    for prov in providers.values():
        literals.extend((sig, prov, True) for sig in prov.signatures)
        literals.extend((anc, prov, False) for anc in prov.host_anchors)
    marker_pairs: dict[str, list[tuple[str, _Rule]]] = {}
    for cls in "45":
        marker_pairs[cls] = [
            (mk, r) for r in identifying if not r.classes or cls in r.classes for mk in r.id_markers
        ]
    marker_pairs[""] = [(mk, r) for r in identifying for mk in r.id_markers]
    exact: dict[str, _Provider] = {}
    suffixes: dict[str, list[tuple[str, _Provider]]] = {}
    for prov in providers.values():
        for pre, suf in prov.host_globs:
            if suf:
                suffixes.setdefault(suf, []).append((pre, prov))
            else:
                exact.setdefault(pre, prov)
    return _Index(
        providers=providers, aliases=aliases, rules=rules, identifying=identifying,
        provider_literals=literals, marker_pairs=marker_pairs, exact_hosts=exact, host_suffixes=suffixes,
    )


def _index() -> _Index:
    global _INDEX
    idx = _INDEX
    if idx is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _load()
            idx = _INDEX
    return idx


def validate_provider_data(data_dir: Path | str = DATA_DIR) -> list[str]:
    """Load and check every ``*.toml`` file in ``data_dir``.

    Returns the sorted list of rule ids.  Raises :class:`ProviderDataError`
    naming the file and rule on the first problem: missing required field,
    duplicate provider/rule id or alias, malformed reply code (three digits) or
    enhanced status code (``class.subject.detail``, RFC 3463 section 2),
    missing documentation URL, a pattern that does not compile, a rule that has
    neither codes nor markers, a ``reason`` that is not a Sisimai failure reason
    (the message names the file, the rule and the field ``reason``).
    """
    idx = _load(Path(data_dir), use_cache=False, compile_patterns=True)
    return sorted(idx.rules)


# --------------------------------------------------------------------------- public API


def resolve_provider(word: str) -> str | None:
    """Map a word a user typed to a provider id, or ``None`` when unknown.

    Case, spaces, dashes and a leading ``@`` are ignored: ``"Gmail"``,
    ``"google"``, ``"workspace"`` -> ``"gmail"``; ``"o365"``, ``"Office 365"``,
    ``"hotmail"``, ``"exchange"`` -> ``"microsoft"``; ``"aol"`` -> ``"yahoo"``;
    ``"me.com"`` -> ``"icloud"``.  Aliases come from the ``aliases`` field of
    each data file.  Non-string input returns ``None``.
    """
    if not isinstance(word, str) or not word.strip():
        return None
    idx = _index()
    key = _norm_word(word)
    pid = idx.aliases.get(key)
    if pid is None and "." in key:
        # A mail domain such as "user@gmail.com" or "outlook.fr": try the part after @.
        key = key.rsplit("@", 1)[-1]
        pid = idx.aliases.get(key)
    return pid


def provider_ids() -> list[str]:
    """All provider ids, sorted."""
    return sorted(_index().providers)


def catalog() -> list[ProviderInfo]:
    """One :class:`ProviderInfo` per provider, mailbox providers first, then
    filters, then blocklists, each group sorted by name."""
    idx = _index()
    rank = {k: i for i, k in enumerate(_KINDS)}
    provs = sorted(idx.providers.values(), key=lambda p: (rank[p.kind], p.name.lower()))
    return [
        ProviderInfo(id=p.id, name=p.name, kind=p.kind, rule_count=len(p.rules), doc_url=p.doc_url, aliases=p.aliases)
        for p in provs
    ]


def rules_of(provider_id: str) -> list[ProviderNote]:
    """Every rule of one provider as :class:`ProviderNote`, in file order.

    Raises ``KeyError`` for an unknown provider id (use :func:`resolve_provider`
    first for user input)."""
    prov = _index().providers[provider_id]
    return [_note(r) for r in prov.rules]


def _note(rule: _Rule) -> ProviderNote:
    note = rule.note
    if note is None:
        from knowledge.results import ProviderNote

        prov = _index().providers[rule.provider_id]
        note = ProviderNote(
            provider=prov.name,
            provider_id=prov.id,
            rule_id=rule.id,
            title=rule.title,
            meaning=rule.meaning,
            remedy=rule.remedy,
            retry_helps=rule.retry_helps,
            doc_url=rule.doc_url,
            reason=rule.reason,
        )
        rule.note = note
    return note


def redefines(rule_id: str, enhanced: str | None) -> bool:
    """True when rule ``rule_id`` uses the registered code ``enhanced`` for something other than its
    IANA detail meaning (Gmail's 4.7.27 is "SPF did not pass", IANA's is "sender address has null MX";
    Microsoft's 5.4.1 with an AS id is Directory-Based Edge Blocking, IANA's is "no answer from host").

    Data: the rule's ``redefines`` list.  Unknown rule ids and malformed codes give False.
    Source: the rule's ``doc_url`` and the IANA registry
    (https://www.iana.org/assignments/smtp-enhanced-status-codes)."""
    if not isinstance(rule_id, str):
        return False
    rule = _index().rules.get(rule_id)
    code = _clean_enh(enhanced)
    return bool(rule is not None and code is not None and code in rule.redefines)


def rules_for_code(enhanced: str | None) -> list[ProviderNote]:
    """The providers' own meanings of one enhanced status code: for each provider whose rules list the
    code (exactly or in a range such as ``5.7.700-5.7.749``), its first such rule, providers in id order.

    Input: ``"5.7.708"``; malformed or missing codes give ``[]``.  Used to explain a code that has no
    standard entry (``/smtp 5.7.708``) with the provider that defines it.  Source: each note's ``doc_url``.
    """
    code = _clean_enh(enhanced)
    if code is None:
        return []
    idx = _index()
    out = []
    for pid in sorted(idx.providers):
        rule = next((r for r in idx.providers[pid].rules if r.enh_matches(code)), None)
        if rule is not None:
            out.append(_note(rule))
    return out


_TOKEN_CACHE: dict[str, tuple | None] = {}


def rule_for_token(token: str) -> tuple[ProviderNote, str | None, str | None] | None:
    """The provider rule a marker token names, with the codes the provider sends it with.

    Input: a token as a user types it on its own: ``"TSS04"``, ``"[TSS04]"``, ``"CS01"``,
    ``"AS(201806281)"``, ``"S3150"``, ``"AUP#CXBL"``.  Output: ``(note, reply, enhanced)`` where
    ``reply`` / ``enhanced`` are the first codes the rule lists (``"421"``, ``"4.7.0"``; either may be
    None), or None when no rule's ``query_token`` matches the whole token (case-insensitive, brackets
    ignored).  Source: the note's ``doc_url``.
    """
    if not isinstance(token, str):
        return None
    key = token.strip().strip("[]").strip()
    if not key or len(key) > 40:
        return None
    if key.upper() in _TOKEN_CACHE:
        return _TOKEN_CACHE[key.upper()]
    got = None
    for rule in _index().rules.values():
        if rule.query_token and re.fullmatch(rule.query_token, key, re.IGNORECASE):
            got = (_note(rule), *rule.first_codes)
            break
    if len(_TOKEN_CACHE) < 4096:
        _TOKEN_CACHE[key.upper()] = got
    return got


def _clean_reply(code: str | None) -> str | None:
    if not code or not isinstance(code, str):
        return None
    code = code.strip()
    return code if _REPLY_RE.match(code) else None


def _clean_enh(code: str | None) -> str | None:
    if not code or not isinstance(code, str):
        return None
    code = code.strip()
    m = _ENH_RE.match(code)
    if not m:
        return None
    # drop leading zeros ("5.7.026" -> "5.7.26") as RFC 3463 numbers have none
    return f"{m.group(1)}.{int(m.group(2))}.{int(m.group(3))}"


def _normalise(text: str, reply: str | None = None) -> str:
    """Lower-case, collapse white space and drop continuation code prefixes of a folded reply."""
    lower = text.lower()
    if "\n" in lower or "  " in lower or "\t" in lower or "\r" in lower:
        lower = " ".join(lower.split())
    # Only a reply code seen twice (or "NNN-" continuation) means folded lines to clean up.
    if (reply is not None and lower.count(reply) > 1) or (reply is None and "-" in lower):
        lower = _CONTINUATION.sub("", lower)
    return lower


def _score(rule: _Rule, reply: str | None, enh: str | None, lower: str, require_markers: bool) -> int:
    """Score one rule against the codes and lower-cased text; -1 = no match."""
    score = 0
    marker_hit = False
    if rule.markers:
        for mk in rule.markers:
            if mk in lower:
                marker_hit = True
                break
        if marker_hit and rule.pattern is not None:
            marker_hit = rule.pattern.search(lower) is not None
        if marker_hit:
            score += 16
        elif require_markers:
            return -1
    # Code compatibility.
    code_hit = False
    if enh is not None and rule.has_enhanced:
        if rule.enh_matches(enh):
            score += 8
            code_hit = True
        elif not marker_hit or enh[0] not in rule.classes:
            return -1
    if reply is not None and rule.reply:
        if reply in rule.reply:
            score += 4
            code_hit = True
        elif not marker_hit or reply[0] not in rule.classes:
            return -1
    if not marker_hit:
        if not code_hit:
            return -1
        if enh is None and rule.has_enhanced:
            # A reply code alone ("550") says too little to pick a rule written for an enhanced code.
            return -1
    else:
        # A marker rule still must not cross classes (a 2xx is never a failure rule).
        for c in (reply, enh):
            if c is not None and rule.classes and c[0] not in rule.classes:
                return -1
    return score


def _specificity(rule: _Rule, lower: str, signatures: tuple[str, ...] = ()) -> int:
    """How specific the rule's evidence in ``lower`` is: the length of the longest text it recognised there
    (one of its markers, or the span its pattern matched), since a longer literal is rarer: "mailbox is
    disabled" says more than a short code prefix.  The provider's own signatures inside a marker do not
    count: "zen.spamhaus.org" says who answered, "open resolver" what went wrong.  0 when no marker is present."""
    longest = 0
    for mk in rule.markers:
        if mk in lower:
            w = len(mk)
            for sig in signatures:
                if sig in mk:
                    w -= len(sig)
            if w > longest:
                longest = w
    if longest and rule.pattern is not None:
        m = rule.pattern.search(lower)
        if m is not None and m.end() - m.start() > longest:
            longest = m.end() - m.start()
    return max(longest, 1) if any(mk in lower for mk in rule.markers) else 0


def lookup(provider_id: str, reply_code: str | None, enhanced: str | None, text: str = "") -> ProviderNote | None:
    """The provider's meaning for these codes, or ``None`` when it has no rule.

    ``provider_id`` is an id from :func:`resolve_provider` (an alias is also
    accepted); ``reply_code`` is three digits (``"550"``), ``enhanced`` is
    ``class.subject.detail`` (``"5.7.26"``); either may be ``None``.  ``text``
    (optional) is the server's reply text: when given, rules whose marker text
    appears win over rules that match on codes only.  Without text the first
    rule in the data file listing the code is returned (data files list the
    most common meaning of a code first).  Malformed codes are ignored as if
    absent; an unknown provider returns ``None``.

    Source: the ``doc_url`` of the returned note.
    """
    idx = _index()
    if not isinstance(provider_id, str):
        return None
    prov = idx.providers.get(provider_id) or idx.providers.get(resolve_provider(provider_id) or "")
    if prov is None:
        return None
    reply, enh = _clean_reply(reply_code), _clean_enh(enhanced)
    if reply is not None and enh is not None and reply[0] != enh[0]:
        enh = None  # contradicting classes: trust the reply code
    lower = _normalise(text, reply) if isinstance(text, str) and text else ""
    if reply is None and enh is None and not lower:
        return None
    best: _Rule | None = None
    best_score = -1
    for rule in prov.rules:
        s = _score(rule, reply, enh, lower, require_markers=False)
        if s > best_score:
            best, best_score = rule, s
    return _note(best) if best is not None else None


def _host_key(host: str) -> str:
    h = host.strip().lower()
    if ";" in h:  # "dns; mx.example.net" (RFC 3464 Remote-MTA)
        h = h.rsplit(";", 1)[-1].strip()
    h = h.split()[0] if h.split() else h
    return h.strip("[]()<>").rstrip(".")


def match(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> ProviderNote | None:
    """The provider rule that explains a pasted response, as a
    :class:`knowledge.results.ProviderNote`, or ``None``.  Same inputs and
    matching as :func:`match_fields`."""
    rule = _match_rule(reply_code, enhanced, text, hosts)
    return _note(rule) if rule is not None else None


def match_fields(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> tuple[str, str, str, str, str | None] | None:
    """Like :func:`match`, but returns plain ``(provider name, rule id, remedy, doc URL, reason)``
    without building pydantic models: the fast path of ``smtpbot annotate
    --format json``, which annotates hundreds of files a second.  ``reason`` is the rule's
    Sisimai bounce reason (``"blocked"``) or None when its data gives none."""
    rule = _match_rule(reply_code, enhanced, text, hosts)
    if rule is None:
        return None
    return _index().providers[rule.provider_id].name, rule.id, rule.remedy, rule.doc_url, rule.reason


def _match_rule(
    reply_code: str | None,
    enhanced: str | None,
    text: str,
    hosts: Iterable[str] = (),
) -> _Rule | None:
    """The provider rule that explains a pasted response, or ``None``.

    Input: ``reply_code`` (``"550"``) and ``enhanced`` (``"5.7.26"``), either
    may be ``None`` -- when both are ``None`` the first code pair found in
    ``text`` is used; ``text`` is the reply text / Diagnostic-Code as sent;
    ``hosts`` are host names known for the response (RFC 3464 Remote-MTA,
    the MX the sender connected to; ``"dns; mx.example.net"`` is accepted).

    In annotation a rule that lists marker text needs that text to be present
    (codes alone are not enough: Microsoft sends 5.7.1 for a dozen different
    reasons); rules without markers apply on codes once the provider is
    identified.

    A provider is *identified* when one of its MX/outbound host globs matches a
    host in ``hosts`` or a host name in ``text``, or when one of its signatures
    (``gsmtp``, ``zen.spamhaus.org`` ...) appears in ``text``.  Rules of an
    identified provider match on codes and/or marker text; rules marked
    ``identifies`` match on their marker text alone.  A response from an
    unidentified host with no distinctive marker (e.g. a generic
    ``550 5.7.1 Relaying denied``) returns ``None``.  The best-scoring rule wins
    (marker text > enhanced code > reply code; ties go to the identified
    provider, then to file order).

    Cost: one ``lower()``, a few hundred substring tests, regexes only on
    candidates; well under 0.1 ms for a 300-character text (see
    ``benchmarks/provider_match.py``).  Never raises on odd input.
    """
    idx = _index()
    if not isinstance(text, str):
        text = ""
    reply, enh = _clean_reply(reply_code), _clean_enh(enhanced)
    if reply is None and enh is None and text:
        m = _CODES_IN_TEXT.search(text)
        if m:
            reply, enh = m.group(1), _clean_enh(m.group(2))
        else:
            m = _ENH_IN_TEXT.search(text)
            if m:
                enh = _clean_enh(m.group(1))
    if reply is not None and enh is not None and reply[0] != enh[0]:
        enh = None  # contradicting classes (e.g. a DSN Status: 4.0.0 beside "550 ..."): trust the server's reply
    lower = _normalise(text, reply) if text else ""

    for c in (reply, enh):
        if c is not None and c[0] in "23":
            return None  # success / intermediate replies are never a provider's failure rule

    host_keys: list[str] = []
    if hosts:
        try:
            host_keys = [_host_key(h) for h in hosts if isinstance(h, str) and h.strip()]
        except TypeError:
            host_keys = []

    identified: dict[str, _Provider] = {}
    for hk in host_keys:
        prov = idx.provider_of_host(hk)
        if prov is not None:
            identified[prov.id] = prov
    if lower:
        literals, owners = idx.literal_index
        for lit in [lit for lit in literals if lit in lower]:
            for prov, is_signature in owners[lit]:
                if prov.id in identified:
                    continue
                if is_signature:
                    identified[prov.id] = prov
                else:
                    for host in _hosts_around(lower, lit):
                        if idx.provider_of_host(host) is prov:
                            identified[prov.id] = prov
                            break

    # Per provider, the best rule: a rule whose marker text is present beats one matched on codes only; among
    # marker rules the more specific marker wins (a pattern that matched, then the longest marker present) before
    # code points, so a provider-wide prefix ("delivery error: dd") or a rule that lists an enhanced code cannot
    # outrank the rule whose own words are in the text ("mailbox is disabled").  Across providers the best
    # score wins, an identified provider first on ties (marker text > enhanced code > reply code).
    per_provider: dict[str, tuple[tuple[int, int, int, int], int, _Rule]] = {}
    cls = (reply or enh or "")[:1]

    def consider(rule: _Rule, s: int) -> None:
        spec = _specificity(rule, lower, idx.providers[rule.provider_id].signatures) if rule.markers else 0
        rank = (1 if spec else 0, spec, s, -rule.order)
        cur = per_provider.get(rule.provider_id)
        if cur is None or rank > cur[0]:
            per_provider[rule.provider_id] = (rank, s, rule)

    for prov in identified.values():
        for rule in prov.by_class.get(cls, prov.rules):
            if rule.markers:
                for mk in rule.markers:
                    if mk in lower:
                        break
                else:
                    continue
            s = _score(rule, reply, enh, lower, require_markers=True)
            if s >= 0:
                consider(rule, s)
    if lower:
        candidates: list[_Rule] = []
        markers, marker_rules = idx.marker_index.get(cls, idx.marker_index[""])
        for mk in [mk for mk in markers if mk in lower]:
            for rule in marker_rules[mk]:
                if rule.provider_id not in identified and rule not in candidates:
                    candidates.append(rule)
        for rule in candidates:
            s = _score(rule, reply, enh, lower, require_markers=True)
            if s >= 0:
                consider(rule, s)
    best: _Rule | None = None
    best_key: tuple[int, int, int] = (-1, 0, 0)
    for _rank, s, rule in per_provider.values():
        ident = 1 if rule.provider_id in identified else 0
        key = (s + ident, ident, -rule.order)
        if key > best_key:
            best, best_key = rule, key
    return best
