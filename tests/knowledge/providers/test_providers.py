"""Provider knowledge: data validation, resolve_provider(), lookup(), catalog(), `smtpbot providers`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from knowledge import providers
from knowledge.providers import (
    DATA_DIR,
    ProviderDataError,
    catalog,
    lookup,
    match,
    resolve_provider,
    rules_of,
    validate_provider_data,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared"  # the repo root is tests/../

# --------------------------------------------------------------------------- data files


def test_all_data_files_validate_and_hold_enough_rules() -> None:
    ids = validate_provider_data()
    assert len(ids) == len(set(ids)) >= 80
    assert {p.id for p in catalog()} >= {
        "gmail", "microsoft", "yahoo", "icloud", "comcast", "spectrum", "cox", "orange", "gmx", "mailru",
        "yandex", "qq", "netease", "spamhaus", "barracuda", "spamcop", "proofpoint", "mimecast", "cisco",
    }


def test_every_rule_has_meaning_remedy_and_provider_doc() -> None:
    for info in catalog():
        notes = rules_of(info.id)
        assert len(notes) == info.rule_count > 0
        for n in notes:
            assert n.rule_id.startswith(info.id + ".")
            assert len(n.meaning) > 25 and len(n.remedy) > 15, n.rule_id
            assert re.match(r"^https?://[^\s/]+\.[a-z]{2,}", n.doc_url), n.rule_id
            assert n.provider == info.name


def test_patterns_are_linear() -> None:
    """No nested quantifiers (the classic catastrophic-backtracking shape) in any rule pattern."""
    nested = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]")
    for rule in providers._load(use_cache=False, compile_patterns=True).rules.values():
        if rule.pattern_src:
            assert not nested.search(rule.pattern_src), rule.id


def _copy_data(tmp_path: Path) -> Path:
    dest = tmp_path / "providers"
    shutil.copytree(DATA_DIR, dest)
    return dest


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('title = "Mailbox does not exist"\n', "", "missing required field 'title'"),
        ('enhanced = ["5.1.1"]\nmeaning = "The address has no', 'enhanced = ["5.1"]\nmeaning = "The address has no',
         "bad enhanced status code"),
        ('reply = ["553"]', 'reply = ["55"]', "bad reply code"),
        ('id = "gmail.no-such-user"', 'id = "gmail.unauthenticated"', "duplicate rule id"),
        ('doc_url = "https://support.google.com/mail/answer/6596"', 'doc_url = "see Google"', "not an http(s) URL"),
        ('markers = ["gcdp"]', 'markers = ["gcdp"]\npattern = "gcdp(("', "pattern does not compile"),
        ('id = "gmail.bad-helo"', 'id = "yahoo.bad-helo"', "rule id must look like 'gmail."),
        ('enhanced = ["5.7.25"]', 'enhanced = ["5.7.25-5.6.30"]', "bad enhanced code range"),
    ],
)
def test_broken_data_is_rejected_with_file_and_rule(tmp_path: Path, old: str, new: str, message: str) -> None:
    d = _copy_data(tmp_path)
    f = d / "gmail.toml"
    text = f.read_text()
    assert old in text
    f.write_text(text.replace(old, new, 1))
    with pytest.raises(ProviderDataError) as exc:
        validate_provider_data(d)
    assert message in str(exc.value)
    assert "gmail.toml" in str(exc.value)


def test_rule_without_codes_or_markers_is_rejected(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    (d / "zz.toml").write_text(
        'id = "zz"\nname = "ZZ"\nkind = "mailbox"\ndoc_url = "https://example.net/"\n'
        '[[rules]]\nid = "zz.x"\ntitle = "t"\nmeaning = "m"\nremedy = "r"\ndoc_url = "https://example.net/x"\n'
    )
    with pytest.raises(ProviderDataError, match="needs codes"):
        validate_provider_data(d)


def test_duplicate_alias_is_rejected(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    f = d / "yahoo.toml"
    f.write_text(f.read_text().replace('aliases = ["aol",', 'aliases = ["aol", "hotmail",', 1))
    with pytest.raises(ProviderDataError, match="alias 'hotmail' already names 'microsoft'"):
        validate_provider_data(d)


# --------------------------------------------------------------------------- resolve_provider


@pytest.mark.parametrize(
    ("word", "pid"),
    [
        ("gmail", "gmail"), ("Google", "gmail"), ("workspace", "gmail"), ("Google Workspace", "gmail"),
        ("microsoft", "microsoft"), ("outlook", "microsoft"), ("O365", "microsoft"), ("office365", "microsoft"),
        ("Office 365", "microsoft"), ("hotmail", "microsoft"), ("exchange", "microsoft"),
        ("yahoo", "yahoo"), ("AOL", "yahoo"), ("icloud", "icloud"), ("apple", "icloud"), ("me.com", "icloud"),
        ("user@me.com", "icloud"), ("@outlook.com", "microsoft"), ("web.de", "gmx"), ("163", "netease"),
        ("charter", "spectrum"), ("xfinity", "comcast"), ("ironport", "cisco"), ("zen", "spamhaus"),
    ],
)
def test_resolve_provider_aliases(word: str, pid: str) -> None:
    assert resolve_provider(word) == pid


@pytest.mark.parametrize("word", ["", "   ", "example.net", "postfix", None, 42])
def test_resolve_provider_unknown(word) -> None:
    assert resolve_provider(word) is None


# --------------------------------------------------------------------------- lookup


def test_lookup_gmail_codes_that_differ_from_iana() -> None:
    assert lookup("gmail", "421", "4.7.27").rule_id == "gmail.spf-not-pass"
    assert lookup("gmail", None, "4.7.29").rule_id == "gmail.tls-required-bulk"
    assert lookup("gmail", None, "4.7.30").rule_id == "gmail.dkim-not-pass"
    assert lookup("gmail", None, "4.7.23").rule_id == "gmail.ptr-missing-temp"
    note = lookup("gmail", None, "4.7.27")
    assert "null MX" in note.meaning and "SPF" in note.meaning


def test_lookup_explain_5_7_26_for_gmail() -> None:
    note = lookup("gmail", None, "5.7.26")
    assert note.rule_id == "gmail.unauthenticated"
    assert note.provider == "Gmail / Google Workspace" and note.retry_helps is False
    with_text = lookup("gmail", "550", "5.7.26", "550-5.7.26 Unauthenticated email from example.net is not accepted "
                       "due to domain's DMARC policy.")
    assert with_text.rule_id == "gmail.dmarc-reject"


def test_lookup_microsoft_5_1_10_is_recipient_not_found() -> None:
    note = lookup("microsoft", "550", "5.1.10")
    assert note.rule_id == "microsoft.recipient-not-found"
    assert "null MX" in note.meaning and note.retry_helps is False


def test_lookup_ranges_and_specific_codes() -> None:
    assert lookup("o365", None, "5.7.620").rule_id == "microsoft.banned-ip-range"
    assert lookup("microsoft", None, "5.7.650") is None  # outside 5.7.606-5.7.649
    assert lookup("microsoft", None, "4.7.650").rule_id == "microsoft.ip-reputation-ratelimit"
    assert lookup("microsoft", None, "4.7.599").rule_id == "microsoft.suspicious-temp"
    assert lookup("microsoft", "550", "5.7.705").rule_id == "microsoft.tenant-blocked"
    assert lookup("microsoft", "535", "5.7.139").rule_id == "microsoft.smtp-auth-disabled"
    assert lookup("microsoft", None, "5.2.2").rule_id == "microsoft.sender-quota"


def test_lookup_with_marker_text() -> None:
    text = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints"
    assert lookup("yahoo", "421", "4.7.0", text).rule_id == "yahoo.tss-deferred"
    assert lookup("icloud", None, None, "550 5.7.1 [CS01] Message rejected due to local policy").rule_id == \
        "icloud.local-policy-cs"


@pytest.mark.parametrize(
    ("pid", "reply", "enh"),
    [("gmail", "550", None), ("gmail", None, "5.1.10"), ("nope", "550", "5.7.1"), ("gmail", "abc", "5.x.1"),
     ("gmail", None, None), (None, "550", "5.7.1")],
)
def test_lookup_returns_none_without_a_rule(pid, reply, enh) -> None:
    assert lookup(pid, reply, enh) is None


def test_lookup_normalises_leading_zeros() -> None:
    assert lookup("gmail", None, "5.7.026").rule_id == lookup("gmail", None, "5.7.26").rule_id


def test_catalog_order_and_fields() -> None:
    cat = catalog()
    kinds = [c.kind for c in cat]
    assert kinds == sorted(kinds, key=["mailbox", "filter", "blocklist"].index)
    assert sum(c.rule_count for c in cat) == len(validate_provider_data())
    assert all(c.doc_url.startswith("https://") for c in cat)


# --------------------------------------------------------------------------- shared corpus (skips when absent)

CORPUS_EXPECT = {
    "rhost-google-": "gmail", "rhost-microsoft-": "microsoft", "rhost-yahooinc-": "yahoo",
    "rhost-apple-": "icloud", "rhost-mimecast-": "mimecast", "rhost-tencent-": "qq", "rhost-spectrum-": "spectrum",
}


def _diag_and_mta(raw: str) -> tuple[list[str], list[str]]:
    diags = re.findall(r"^Diagnostic-Code:\s*(.*(?:\n[ \t]+.*)*)", raw, re.M | re.I)
    mtas = re.findall(r"^Remote-MTA:\s*(.*)", raw, re.M | re.I)
    return [" ".join(d.split(";", 1)[-1].split()) for d in diags], [m.strip() for m in mtas]


def test_corpus_provider_bounces_are_attributed() -> None:
    bounces = SHARED / "corpus" / "bounces"
    if not bounces.is_dir():
        pytest.skip("shared corpus not present")
    checked = 0
    for path in sorted(bounces.glob("rhost-*.eml")):
        expected = next((pid for pre, pid in CORPUS_EXPECT.items() if path.name.startswith(pre)), None)
        if expected is None:
            continue
        diags, mtas = _diag_and_mta(path.read_text(errors="replace"))
        if not diags:
            continue
        note = match(None, None, diags[0], mtas)
        assert note is not None and note.provider_id == expected, path.name
        checked += 1
    assert checked >= 15


def test_corpus_non_bounces_yield_no_provider() -> None:
    folder = SHARED / "corpus" / "not-bounces"
    if not folder.is_dir():
        pytest.skip("shared corpus not present")
    for path in folder.glob("*.eml"):
        text = path.read_text(errors="replace")
        for line in text.splitlines():
            if re.match(r"^\s*[45][0-9][0-9][ -]", line):
                assert match(None, None, line) is None, (path.name, line)


# --------------------------------------------------------------------------- CLI


def test_cli_providers_json(capsys) -> None:
    from bot.cli import main

    assert main(["providers", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [c.id for c in catalog()]
    gmail = next(d for d in data if d["id"] == "gmail")
    assert gmail["rule_count"] == len(rules_of("gmail")) and gmail["kind"] == "mailbox"


def test_cli_providers_text_and_one_provider(capsys) -> None:
    from bot.cli import main

    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^microsoft\s+Microsoft 365 / Exchange Online / Outlook\.com\s+mailbox\s+\d+\s+https://", out, re.M)
    assert main(["providers", "aol", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["provider_id"] for r in rules} == {"yahoo"}
    assert any(r["rule_id"] == "yahoo.tss-deferred" for r in rules)


def test_cli_unknown_provider_is_a_usage_error(capsys) -> None:
    from bot.cli import main

    assert main(["providers", "nosuchmail"]) == 2
    err = capsys.readouterr().err
    assert "unknown provider 'nosuchmail'" in err and "gmail" in err and "Traceback" not in err
