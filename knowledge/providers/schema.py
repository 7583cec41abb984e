"""The provider data file schema: checks one parsed ``knowledge/data/providers/<id>.toml`` and builds its records.

Data file shape (every key below is the whole vocabulary: an unknown key is an error)::

    id = "gmail"                       # provider id, [a-z0-9]+, the file is named <id>.toml
    name = "Gmail / Google Workspace"  # display name
    kind = "mailbox"                   # mailbox | filter | blocklist
    doc_url = "https://..."            # the provider's main public doc page
    aliases = ["google", "workspace"]  # words resolve_provider() accepts
    hosts = ["gmail-smtp-in.l.google.com", "*.google.com"]   # MX / outbound host globs
    signatures = ["gsmtp"]             # literal text that, by itself, shows this provider sent the text
    sources = ["https://..."]          # optional: where the facts were checked

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
    returned_only = true               # optional: the remedy is for a message that came back (it says to resend,
                                       # or that resending will not help): a message still queued (RFC 3464
                                       # Action: delayed) gets the "nothing to resend yet" step instead
    retry_helps = false                # true / false; omit when it depends
    doc_url = "https://..."            # the provider's public documentation for this rule
    sources = ["https://..."]          # optional further sources
    redefines = ["4.7.27"]             # codes of this rule whose IANA detail meaning the provider does not use
    reason = "authfailure"             # optional: the Sisimai bounce reason (https://libsisimai.org/en/reason/)
                                       # the provider's documentation gives this refusal; one of
                                       # knowledge.vocabulary.REASONS except the non-failure ones.  When a rule
                                       # with a reason matches, the annotation takes its reason and hard/soft
                                       # from it (see knowledge.annotate and knowledge.vocabulary for the
                                       # cases where it does not), the way Sisimai's per-receiver tables decide.
    query_token = 'TSS0[1-8]'          # optional regex: a marker a user may ask about on its own ("/smtp TSS04"),
                                       # matched in full, case-insensitive, without the surrounding [ ]

    [[reason_phrases]]                 # replies of this provider whose text decides the bounce reason
    reason = "blocked"                 # a Sisimai failure reason, as for rules
    phrases = ["..."]                  # literals, lower-case (matched against lower-cased text)
    patterns = ['...']                 # optional regexes (lower-cased text), must compile; phrases and/or patterns
    sources = ["https://..."]          # required, http(s) URLs
    checked = "2026-12-08"             # required, the ISO date the sources were checked (a quoted string)

    [[reason_codes]]                   # the provider's own internal code numbers -> reason
    pattern = '...'                    # regex (lower-cased text) with exactly one capture group: the code
    codes = { "101" = "blocked" }      # captured code -> reason; and/or
    ranges = [[1000, 1000, "blocked"]] # inclusive numeric ranges [lo, hi, reason], tried after codes
    sources = ["https://..."]
    checked = "2026-12-08"

A file needs at least one ``[[rules]]``, ``[[reason_phrases]]`` or ``[[reason_codes]]`` entry.  Every
error is a :class:`~knowledge.providers.records.ProviderDataError` whose message starts with the file
name and the entry (``gmail.toml rule gmail.dmarc-reject: ...``, ``orange.toml reason_codes #1: ...``).
The checks are plain Python rather than a pydantic model: they run on every start of the CLI (the parsed
files are cached, the checks are not), and the annotate JSON path must not import pydantic (~90 ms).
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.providers.records import _ENH_RE, _REPLY_RE, ProviderDataError, _Provider, _Rule
from knowledge.provenance import is_checked_date, is_source_url
from knowledge.vocabulary import NOT_FAILURE_REASONS, REASONS

KINDS = ("mailbox", "filter", "blocklist")
_PROVIDER_ID_RE = re.compile(r"^[a-z0-9]+$")
_RULE_ID_RE = re.compile(r"^([a-z0-9]+)\.[a-z0-9][a-z0-9.-]*$")
_HOST_GLOB_RE = re.compile(r"^[a-z0-9*][a-z0-9*.-]*[a-z0-9]$")
# compiled on first use (re's cache): only files with reason tables need them
_CODE_KEY = r"^[0-9a-z_-]{1,16}$"
# The Sisimai reason names a rule's ``reason`` may take (knowledge.vocabulary, cheap to import), and
# those that describe the message's fate rather than a receiver's refusal: no provider entry gives them.
_REASON_NAMES = frozenset(REASONS)
_NOT_RULE_REASONS = NOT_FAILURE_REASONS
FAILURE_REASONS = _REASON_NAMES - _NOT_RULE_REASONS

_PROVIDER_KEYS = {"id", "name", "kind", "doc_url", "aliases", "hosts", "signatures", "sources", "rules",
                  "reason_phrases", "reason_codes"}
_RULE_KEYS = {
    "id", "title", "reply", "enhanced", "markers", "pattern", "identifies", "meaning", "remedy",
    "retry_helps", "doc_url", "sources", "redefines", "query_token", "reason", "returned_only",
}
_PHRASE_KEYS = {"reason", "phrases", "patterns", "sources", "checked"}
_CODE_KEYS = {"pattern", "codes", "ranges", "sources", "checked"}


# --------------------------------------------------------------------------- field checks


def _keys(d: dict, allowed: set[str], where: str) -> None:
    unknown = set(d) - allowed
    if unknown:
        raise ProviderDataError(f"{where}: unknown field(s) {sorted(unknown)}")


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
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ProviderDataError(f"{where}: field {key!r} must be a list of non-empty strings")
    return [x.strip() for x in v]


def _url(d: dict, key: str, where: str) -> str:
    url = _str(d, key, where)
    if not is_source_url(url):
        raise ProviderDataError(f"{where}: {key} {url!r} is not an http(s) URL")
    return url


def _urls(d: dict, key: str, where: str, required: bool = False) -> tuple[str, ...]:
    if not d.get(key):
        if required:
            raise ProviderDataError(f"{where}: missing required field {key!r} (a list of http(s) URLs)")
        if key not in d:
            return ()
    urls = _strlist(d, key, where)
    bad = [u for u in urls if not is_source_url(u)]
    if bad:
        raise ProviderDataError(f"{where}: {key} holds {bad[0]!r}, which is not an http(s) URL")
    return tuple(urls)


def _checked(d: dict, where: str) -> str:
    v = d.get("checked")
    if v is None:
        raise ProviderDataError(f"{where}: missing required field 'checked' (the date the sources were checked)")
    if not is_checked_date(v):
        raise ProviderDataError(f"{where}: field 'checked' is {v!r}; write the date as a quoted string, "
                                f"e.g. checked = \"2026-12-08\"")
    return v


def _reason(value: object, where: str) -> str:
    if not isinstance(value, str) or value not in FAILURE_REASONS:
        allowed = ", ".join(sorted(FAILURE_REASONS))
        raise ProviderDataError(f"{where}: field 'reason' is {value!r}, not a Sisimai failure reason "
                                f"(one of: {allowed})")
    return value


def compile_pattern(src: str, where: str, field: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(src, flags)``, or a :class:`ProviderDataError` naming ``where`` and ``field``."""
    try:
        return re.compile(src, flags)
    except re.error as exc:
        raise ProviderDataError(f"{where}: {field} does not compile: {exc}") from None


# --------------------------------------------------------------------------- provider head


def split_glob(glob: str) -> tuple[str, str]:
    """``"*.yahoodns.net"`` -> ``("", ".yahoodns.net")``; an exact host -> ``(host, "")``.
    The "*" spans labels: "*.yahoodns.net" matches "mx-aol.mail.gm0.yahoodns.net"."""
    if "*" not in glob:
        return glob, ""
    pre, suf = glob.split("*", 1)
    return pre, suf


def _anchor(glob: str) -> str:
    return glob.rsplit("*", 1)[-1].lstrip(".-")


def _hosts(data: dict, where: str) -> list[str]:
    hosts = [h.lower() for h in _strlist(data, "hosts", where)]
    for h in hosts:
        if not _HOST_GLOB_RE.match(h) or h.count("*") > 1:
            raise ProviderDataError(f"{where}: host pattern {h!r} is not a host name glob with at most one '*'")
        if "*" in h and not split_glob(h)[1].startswith("."):
            raise ProviderDataError(f"{where}: host pattern {h!r} must have '.' right after the '*' "
                                    f"(e.g. '*.example.com')")
        if "." not in _anchor(h):
            raise ProviderDataError(f"{where}: host pattern {h!r} needs a domain after the '*'")
    return hosts


def _provider_head(data: dict, path: Path) -> _Provider:
    where = path.name
    _keys(data, _PROVIDER_KEYS, where)
    pid = _str(data, "id", where)
    if not _PROVIDER_ID_RE.match(pid):
        raise ProviderDataError(f"{where}: provider id {pid!r} must be lower-case letters and digits")
    if path.stem != pid:
        raise ProviderDataError(f"{where}: file name must be {pid}.toml")
    kind = _str(data, "kind", where)
    if kind not in KINDS:
        raise ProviderDataError(f"{where}: kind {kind!r} is not one of {KINDS}")
    doc_url = _url(data, "doc_url", where)
    _urls(data, "sources", where)
    hosts = _hosts(data, where)
    all_anchors = {_anchor(h) for h in hosts}
    # An anchor that contains a shorter anchor of the same provider adds no information to the prefilter.
    anchors = tuple(sorted(a for a in all_anchors if not any(b != a and b in a for b in all_anchors)))
    return _Provider(
        id=pid, name=_str(data, "name", where), kind=kind, doc_url=doc_url,
        aliases=tuple(_strlist(data, "aliases", where)), host_globs=tuple(split_glob(h) for h in hosts),
        host_anchors=anchors, signatures=tuple(s.lower() for s in _strlist(data, "signatures", where)),
        file=where,
    )


# --------------------------------------------------------------------------- [[rules]]


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


def _rule_codes(r: dict, where: str) -> tuple[list[str], list[str], list[tuple[int, int, int, int]]]:
    """(reply codes, exact enhanced codes, enhanced ranges) of one rule."""
    reply = _strlist(r, "reply", where)
    for c in reply:
        if not _REPLY_RE.match(c):
            raise ProviderDataError(f"{where}: bad reply code {c!r} (want three digits, 2xx-5xx)")
    exact: list[str] = []
    ranges: list[tuple[int, int, int, int]] = []
    for e in _strlist(r, "enhanced", where):
        ex, rg = _parse_enhanced(e, where)
        if ex:
            exact.append(ex)
        if rg:
            ranges.append(rg)
    return reply, exact, ranges


def _rule_identifies(r: dict, markers: tuple[str, ...], where: str) -> tuple[bool, tuple[str, ...] | None]:
    """(identifies, the identifying subset of the markers or None for all of them)."""
    identifies = r.get("identifies", False)
    id_markers: tuple[str, ...] | None = None
    if isinstance(identifies, list):
        id_markers = tuple(mk.lower() for mk in _strlist(r, "identifies", where))
        if not id_markers or any(mk not in markers for mk in id_markers):
            raise ProviderDataError(f"{where}: identifies lists {list(id_markers)!r}; it must name some of "
                                    f"the rule's markers")
        identifies = True
    elif not isinstance(identifies, bool):
        raise ProviderDataError(f"{where}: identifies must be true, false or a list of the rule's markers")
    if identifies and not markers:
        raise ProviderDataError(f"{where}: identifies = true needs markers")
    return identifies, id_markers


def _optional_regex(r: dict, key: str, where: str, compile_patterns: bool) -> str | None:
    src = _str(r, key, where, required=False) or None
    if src is not None and compile_patterns:
        compile_pattern(src, where, key, re.IGNORECASE)
    return src


def _build_rule(r: object, i: int, pid: str, where: str, order: int, compile_patterns: bool) -> _Rule:
    if not isinstance(r, dict):
        raise ProviderDataError(f"{where}: rule #{i + 1} is not a table")
    rwhere = f"{where} rule {r['id'] if isinstance(r.get('id'), str) else f'#{i + 1}'}"
    _keys(r, _RULE_KEYS, rwhere)
    rid = _str(r, "id", rwhere)
    m = _RULE_ID_RE.match(rid)
    if not m or m.group(1) != pid:
        raise ProviderDataError(f"{rwhere}: rule id must look like '{pid}.some-slug'")
    reply, exact, ranges = _rule_codes(r, rwhere)
    markers = tuple(mk.lower() for mk in _strlist(r, "markers", rwhere))
    pat_src = _optional_regex(r, "pattern", rwhere, compile_patterns)
    if pat_src is not None and not markers:
        raise ProviderDataError(f"{rwhere}: a pattern needs at least one literal marker (cheap prefilter)")
    if not (reply or exact or ranges or markers):
        raise ProviderDataError(f"{rwhere}: needs codes (reply/enhanced) or markers")
    identifies, id_markers = _rule_identifies(r, markers, rwhere)
    retry = r.get("retry_helps")
    if retry is not None and not isinstance(retry, bool):
        raise ProviderDataError(f"{rwhere}: retry_helps must be true or false (or omitted)")
    returned_only = r.get("returned_only", False)
    if not isinstance(returned_only, bool):
        raise ProviderDataError(f"{rwhere}: returned_only must be true or false (or omitted)")
    rdoc = _url(r, "doc_url", rwhere)
    _urls(r, "sources", rwhere)
    redefines = _strlist(r, "redefines", rwhere)
    for c in redefines:
        if c not in exact:
            raise ProviderDataError(f"{rwhere}: redefines lists {c!r}, which is not one of the rule's enhanced codes")
    qtok = _optional_regex(r, "query_token", rwhere, compile_patterns)
    reason = _reason(r["reason"], rwhere) if r.get("reason") is not None else None
    first_reply = reply[0] if reply else None
    first_enh = next((e for e in exact if first_reply is None or e[0] == first_reply[0]), None)
    classes = {c[0] for c in reply} | {c[0] for c in exact} | {str(rg[0]) for rg in ranges}
    return _Rule(
        id=rid, provider_id=pid, title=_str(r, "title", rwhere), meaning=_str(r, "meaning", rwhere),
        remedy=_str(r, "remedy", rwhere), retry_helps=retry, doc_url=rdoc, reply=frozenset(reply),
        enh_exact=frozenset(exact), enh_ranges=tuple(ranges), classes=frozenset(classes), markers=markers,
        pattern_src=pat_src, identifies=identifies, id_markers=id_markers, order=order,
        redefines=frozenset(redefines), first_codes=(first_reply, first_enh), query_token=qtok, reason=reason,
        returned_only=returned_only,
    )


# --------------------------------------------------------------------------- [[reason_phrases]] / [[reason_codes]]


def _entries(data: dict, key: str, where: str) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise ProviderDataError(f"{where}: {key} must be written as [[{key}]] tables")
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise ProviderDataError(f"{where} {key} #{i + 1}: not a table")
    return entries


def phrase_entry_where(file: str, i: int, entry: dict) -> str:
    """How messages name the ``i``-th (0-based) ``[[reason_phrases]]`` entry: ``"gmail.toml reason_phrases
    #3 (blocked)"``."""
    reason = entry.get("reason")
    return f"{file} reason_phrases #{i + 1}" + (f" ({reason})" if isinstance(reason, str) else "")


def code_entry_where(file: str, i: int) -> str:
    """How messages name the ``i``-th (0-based) ``[[reason_codes]]`` entry: ``"orange.toml reason_codes #1"``."""
    return f"{file} reason_codes #{i + 1}"


def check_phrase_entry(e: dict, where: str, compile_patterns: bool) -> None:
    """Check one ``[[reason_phrases]]`` entry (the one definition of its shape, used by this loader and by
    :mod:`knowledge.reasons` when it builds its tables).  ``where`` names the entry in messages
    (:func:`phrase_entry_where`).  Raises :class:`ProviderDataError`."""
    _keys(e, _PHRASE_KEYS, where)
    if "reason" not in e:
        raise ProviderDataError(f"{where}: missing required field 'reason'")
    _reason(e["reason"], where)
    phrases = _strlist(e, "phrases", where)
    upper = [p for p in phrases if p != p.lower()]
    if upper:
        raise ProviderDataError(f"{where}: phrase {upper[0]!r} is not lower-case (texts are lower-cased "
                                f"before matching)")
    spaced = [p for p in phrases if "  " in p or any(c in p for c in "\t\r\n")]
    if spaced:
        raise ProviderDataError(f"{where}: phrase {spaced[0]!r} must use single spaces (texts are matched with "
                                f"white space folded)")
    dup = next((p for i, p in enumerate(phrases) if p in phrases[:i]), None)
    if dup is not None:
        raise ProviderDataError(f"{where}: phrase {dup!r} is listed twice")
    patterns = _strlist(e, "patterns", where)
    if not phrases and not patterns:
        raise ProviderDataError(f"{where}: needs phrases (literals) and/or patterns")
    if compile_patterns:
        for p in patterns:
            compile_pattern(p, where, f"pattern {p!r}")
    _urls(e, "sources", where, required=True)
    _checked(e, where)


def _check_ranges(ranges: object, where: str) -> None:
    if not isinstance(ranges, list):
        raise ProviderDataError(f"{where}: ranges must be a list of [lo, hi, reason]")
    for rg in ranges:
        ok = (isinstance(rg, list) and len(rg) == 3 and all(type(x) is int and x >= 0 for x in rg[:2]))
        if not ok or rg[0] > rg[1]:
            raise ProviderDataError(f"{where}: range {rg!r} is not [lo, hi, reason] with whole numbers lo <= hi")
        _reason(rg[2], f"{where} range {rg[:2]!r}")


def check_code_entry(e: dict, where: str, compile_patterns: bool) -> None:
    """Check one ``[[reason_codes]]`` entry (one capture group, codes and/or ranges naming reasons, sources,
    checked); shared with :mod:`knowledge.reasons` like :func:`check_phrase_entry`.  Raises
    :class:`ProviderDataError`."""
    _keys(e, _CODE_KEYS, where)
    src = _str(e, "pattern", where)
    if compile_patterns:
        groups = compile_pattern(src, where, "pattern").groups
        if groups != 1:
            raise ProviderDataError(f"{where}: pattern has {groups} capture groups; it needs exactly one "
                                    f"(the code), use (?:...) for the others")
    codes = e.get("codes", {})
    if not isinstance(codes, dict):
        raise ProviderDataError(f"{where}: codes must be a table such as {{ \"101\" = \"blocked\" }}")
    for code, reason in codes.items():
        if not re.match(_CODE_KEY, code):
            raise ProviderDataError(f"{where}: code {code!r} must be lower-case letters or digits (the text is "
                                    f"lower-cased before matching)")
        _reason(reason, f"{where} code {code!r}")
    _check_ranges(e.get("ranges", []), where)
    if not codes and not e.get("ranges"):
        raise ProviderDataError(f"{where}: needs codes and/or ranges")
    _urls(e, "sources", where, required=True)
    _checked(e, where)


# --------------------------------------------------------------------------- one file


def build_provider(data: dict, path: Path, order_start: int, compile_patterns: bool = False) -> _Provider:
    """Check one parsed data file and build its :class:`_Provider` (rules numbered from ``order_start``).

    ``compile_patterns`` also compiles every regex (rule ``pattern`` / ``query_token``, reason table
    patterns) to report the ones that do not compile; at run time rule patterns compile on first use and
    reason tables when :func:`knowledge.providers.reason_phrase_tables` is first called.
    Raises :class:`ProviderDataError` naming the file and entry.
    """
    prov = _provider_head(data, path)
    where = path.name
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise ProviderDataError(f"{where}: rules must be written as [[rules]] tables")
    for i, r in enumerate(rules):
        prov.rules.append(_build_rule(r, i, prov.id, where, order_start + i, compile_patterns))
    prov.reason_phrases = _entries(data, "reason_phrases", where)
    for i, e in enumerate(prov.reason_phrases):
        check_phrase_entry(e, phrase_entry_where(where, i, e), compile_patterns)
    prov.reason_codes = _entries(data, "reason_codes", where)
    for i, e in enumerate(prov.reason_codes):
        check_code_entry(e, code_entry_where(where, i), compile_patterns)
    if not (prov.rules or prov.reason_phrases or prov.reason_codes):
        raise ProviderDataError(f"{where}: needs at least one [[rules]] entry "
                                f"(or [[reason_phrases]] / [[reason_codes]])")
    prov.by_class = {cls: [r for r in prov.rules if not r.classes or cls in r.classes] for cls in "45"}
    prov.by_class[""] = prov.rules
    return prov
