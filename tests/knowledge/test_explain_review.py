"""Faults found in review of ``explain``: class-dependent meanings, coherent
combined codes, de-duplication and the per-request cap, provider notes, the
80-column text layout and echoed control characters."""

import json
import re
from importlib.metadata import version

import pytest

from bot.cli import main
from bot.render_text import render_explain
from knowledge.explain import MAX_CODES, explain, explain_code, explain_with_provider, standard_line
from knowledge.kb import get_kb
from knowledge.results import ProviderNote

KB = get_kb()
GIVE_UP = re.compile(r"\b(?:has|have) given up\b|\bgave up\b|\bgives up\b", re.IGNORECASE)


def _enhanced_details():
    return [code[2:] for code in KB.enhanced_codes()]  # "7.26"


def _other_class_codes(text: str, cls: str, detail: str) -> list[str]:
    """Same subject.detail written with another class digit (5.4.7 inside a 4.4.7 text)."""
    return [m for m in re.findall(rf"(?<![\d.])([245])\.{re.escape(detail)}(?![\d])", text) if m != cls]


# -- 7: temporary vs final -------------------------------------------------------------------

def test_447_is_a_delay_warning_and_547_a_bounce():
    delay = explain_code(None, "4.4.7")
    assert "has not given up" in delay.meaning
    assert "keeps retrying" in delay.meaning
    assert delay.retry.startswith("Temporary: the sending MTA keeps the message and retries")
    final = explain_code(None, "5.4.7")
    assert "has given up" in final.meaning
    assert final.retry.startswith("Permanent:")
    # the reply code's class picks the wording when the enhanced code is written X.4.7
    assert "has not given up" in explain_code("451", "X.4.7").meaning
    assert "has not given up" not in explain_code("554", "X.4.7").meaning


def test_447_folklore_reply_is_temporary():
    item = explain_code("447", None)
    assert item.retry.startswith("Temporary by its first digit: the sending MTA keeps retrying")
    assert not GIVE_UP.search(item.meaning + " " + item.retry)


@pytest.mark.parametrize("detail", _enhanced_details())
def test_class_4_text_never_says_the_mta_gave_up(detail):
    item = explain_code(None, f"4.{detail}")
    assert not GIVE_UP.search(item.meaning.replace("has not given up", "")), item.meaning


@pytest.mark.parametrize("detail", _enhanced_details())
@pytest.mark.parametrize("cls", ["4", "5"])
def test_meaning_names_no_other_class_of_the_same_code(cls, detail):
    item = explain_code(None, f"{cls}.{detail}")
    assert _other_class_codes(item.meaning, cls, detail) == []


@pytest.mark.parametrize("detail", [c[2:] for c in KB.enhanced_codes() if "2" in KB.enhanced(c).class_meaning])
def test_success_forms_have_their_own_wording(detail):
    item = explain_code(None, f"2.{detail}")
    assert _other_class_codes(item.meaning, "2", detail) == []
    assert "failure" not in item.meaning.lower() or "no more detail" in item.meaning


@pytest.mark.parametrize("detail", _enhanced_details())
@pytest.mark.parametrize("cls", ["4", "5"])
def test_failure_classes_are_not_described_as_success(cls, detail):
    meaning = explain_code(None, f"{cls}.{detail}").meaning.lower()
    assert "ordinary success" not in meaning
    assert not meaning.startswith("a positive code")
    assert "goes with success" not in meaning


def test_every_reply_and_enhanced_pairing_is_coherent():
    checked = 0
    for reply in KB.reply_codes():
        for xcode in KB.enhanced_codes():
            detail = xcode[2:]
            if reply[0] not in "45":
                continue  # a success reply with a failure-only enhanced code is contradictory anyway
            item = explain_code(reply, f"{reply[0]}.{detail}")
            assert _other_class_codes(item.meaning, reply[0], detail) == [], (reply, detail)
            if reply[0] == "4":
                assert not GIVE_UP.search(item.meaning.replace("has not given up", "")), (reply, detail)
            if reply[0] in "45":
                assert "ordinary success" not in item.meaning.lower()
            parts = {p.code for p in item.parts} | {xcode}
            assert not set(item.related) & parts, (reply, detail, item.related)
            checked += 1
    assert checked > 1000


# -- 17: combined text, who acts, related ----------------------------------------------------

def test_553_550_talks_of_a_failure_not_successes():
    item = explain_code("553", "5.5.0")
    assert item.title == "Mailbox name not allowed (5.5.0: mail delivery protocol status, no further detail)"
    assert "success" not in item.meaning.lower()
    assert item.meaning.startswith(explain_code("553", None).meaning)
    assert item.meaning.endswith(
        "The enhanced code 5.5.0 adds no more precise cause: A protocol-level failure with no more detail: "
        "the server refused a command or its arguments without saying more precisely why.")


def test_combined_who_acts_follows_the_enhanced_entry():
    assert explain_code("550", "5.7.26").who_acts == explain_code(None, "5.7.26").who_acts == ["sending admin"]
    assert explain_code("550", "5.1.1").who_acts == explain_code(None, "5.1.1").who_acts == ["sender"]
    for reply in ("450", "451", "550", "554"):
        for xcode in KB.enhanced_codes():
            if xcode.endswith(".0"):
                continue  # no detail: the reply code's entry is as specific
            enh = f"{reply[0]}{xcode[1:]}"
            assert explain_code(reply, enh).who_acts == explain_code(None, enh).who_acts, (reply, enh)


def test_related_excludes_the_parts_of_the_code():
    assert explain_code("550", "5.7.26").related == ["X.7.20", "X.7.23", "X.7.1", "450", "553", "554", "551", "X.1.1"]
    assert "X.7.1" not in explain_code("550", "5.7.1").related
    assert "550" not in explain_code("550", "5.7.1").related
    for xcode in KB.enhanced_codes():
        assert xcode not in explain_code(None, xcode).related


# -- 11, 12: separate arguments, de-duplication, cap -----------------------------------------

TEN = ["550", "5.1.1", "5.7.1", "421", "451", "450", "4.7.0", "5.7.26", "252", "502"]


def test_separate_arguments_stay_separate_codes(capsys):
    assert main(["explain", "--format", "json", *TEN]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in doc["items"]] == TEN
    assert doc["comparison"]["codes"] == TEN


def test_one_argument_with_both_codes_is_combined(capsys):
    assert main(["explain", "--format", "json", "550 5.7.26", "421"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in doc["items"]] == ["550 5.7.26", "421"]


def test_identical_codes_are_explained_once():
    result = explain(["550", "550", "#550", "5.07.001", "5.7.1", "550 5.7.1", "550-5.7.1"])
    assert [i.code for i in result.items] == ["550", "5.7.1", "550 5.7.1"]
    assert result.errors == []
    single = explain(["550", "550"])
    assert [i.code for i in single.items] == ["550"]
    assert single.comparison is None


def test_at_most_ten_codes_are_explained():
    codes = TEN + ["554", "5.2.2", "5.1.1"]
    result = explain(codes)
    assert MAX_CODES == 10
    assert [i.code for i in result.items] == TEN
    assert result.errors == ["only the first 10 codes are explained; 2 more (554, 5.2.2) were left out."]
    assert result.comparison.codes == TEN


def test_thousands_of_repeats_in_one_argument(capsys):
    assert main(["explain", "--format", "json", "550 " * 2500]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in doc["items"]] == ["550"]
    assert doc["errors"] == []


def test_malformed_inputs_are_reported_with_a_count_beyond_ten():
    result = explain([f"9{n:02d}" for n in range(15)])
    assert result.items == []
    assert len(result.errors) == 11
    assert result.errors[0].startswith("'900' is not an SMTP code")
    assert result.errors[-1] == "... and 5 more inputs that are not SMTP codes."


# -- 14: JSON even when nothing could be explained ---------------------------------------------

def test_json_document_printed_when_every_input_is_malformed(capsys):
    assert main(["explain", "--format", "json", "999"]) == 2
    cap = capsys.readouterr()
    doc = json.loads(cap.out)
    assert doc["items"] == [] and doc["comparison"] is None and doc["schema_version"] == 1
    assert len(doc["errors"]) == 1 and doc["errors"][0].startswith("'999' is not an SMTP code")
    assert cap.err.startswith("smtpbot explain: '999' is not an SMTP code")


def test_json_document_printed_for_unknown_provider(capsys):
    assert main(["explain", "--format", "json", "--provider", "nosuchmail", "550"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["items"] == []
    assert doc["errors"] == ["unknown provider 'nosuchmail' (see 'smtpbot providers' for the list)"]


# -- 15, 6: provider notes ---------------------------------------------------------------------

def test_provider_without_a_rule_says_so():
    item = explain(["550"], provider="gmail").items[0]
    assert item.provider is None
    assert item.notes == ["Gmail / Google Workspace has no specific rule for 550; general meaning below."]
    assert item.title == explain_code("550", None).title
    text = render_explain(explain(["550"], provider="gmail"), width=80)
    assert "Note: Gmail / Google Workspace has no specific rule for 550; general meaning below." in _flat(text)


def test_no_provider_no_notes():
    assert explain(["550"]).items[0].notes == []


NOTE = ProviderNote(
    provider="Example Mail", provider_id="example", rule_id="example.edge-block",
    title="Recipient refused by edge blocking", meaning="The address is not in the directory.",
    remedy="Check the address.", retry_helps=False, doc_url="https://example.net/docs/edge",
)


def test_explain_with_provider_leads_with_the_provider_meaning():
    std = explain_code("550", "5.4.1")
    item = explain_with_provider("550", "5.4.1", NOTE)
    assert item.provider == NOTE
    assert item.title == "Recipient refused by edge blocking (Example Mail)"
    assert item.meaning == "Example Mail: The address is not in the directory. Standard: 5.4.1 = No answer from host"
    assert item.fix == f"Check the address. General advice for 550 5.4.1: {std.fix}"
    assert item.retry == f"Example Mail: retrying unchanged does not help. {std.retry}"
    assert item.source == [*std.source, "https://example.net/docs/edge"]
    assert (item.code, item.kind, item.class_, item.parts) == (std.code, std.kind, std.class_, std.parts)
    assert explain_with_provider("550", "5.4.1", None) == std


def test_explain_uses_the_provider_meaning_first():
    item = explain(["550 5.4.1"], provider="microsoft").items[0]
    assert item.provider is not None and item.provider.provider_id == "microsoft"
    assert item.title.startswith(item.provider.title)
    assert item.provider.rule_id == "microsoft.dbeb-as"
    # Microsoft redefines 5.4.1: only the class and subject of the standard meaning are given
    assert item.meaning == f"Microsoft 365 / Exchange Online / Outlook.com: {item.provider.meaning} " \
                           "Standard: 5.4.x = permanent failure, network and routing"
    assert item.fix == item.provider.remedy


def test_text_shows_provider_then_standard_meaning_once():
    text = render_explain(explain(["550 5.4.1"], provider="microsoft"), width=80)
    flat = _flat(text)
    assert flat.count("Directory-Based Edge Blocking: the recipient domain") == 1
    assert flat.index("Provider:") < flat.index("Standard: No answer from host")


# -- 13: 80 columns ----------------------------------------------------------------------------

_BORDER = "│┃╭╮╰╯─━┏┓┗┛┡┩├┤┼╇╈┳┻┃"


def _tokens(line: str) -> list[str]:
    return line.translate({ord(c): " " for c in _BORDER}).split()


def _flat(text: str) -> str:
    """Rendered text as one line of words, panel and table borders removed."""
    return " ".join(tok for line in text.splitlines() for tok in _tokens(line))


def _words(result) -> set[str]:
    words = set()
    texts = []
    for item in result.items:
        texts += [item.title, item.meaning, item.when, item.fix, item.retry, item.class_, item.code]
    for row in result.comparison.differences:
        texts += row.values
    for t in texts:
        words.update(w.strip(".,;:()'\"") for w in t.split())
    return {w for w in words if len(w) > 2}


@pytest.mark.parametrize("codes", [TEN, ["550", "5.7.26", "421"], ["252", "502"],
                                   ["550 5.7.26", "421 4.7.0", "451 4.4.7", "554 5.7.1"]])
def test_no_word_or_code_is_split_at_80_columns(codes):
    result = explain(codes)
    text = render_explain(result, width=80)
    lines = [_tokens(line) for line in text.splitlines()]
    words = _words(result)
    pieces = [p for code in result.comparison.codes for p in code.split()]
    for a, b in zip(lines, lines[1:]):
        if not a or not b:
            continue
        joined = (a[-1] + b[0]).strip(".,;:()'\"")
        if joined in words and a[-1].strip(".,;:()'\"") not in words:
            pytest.fail(f"word split across lines: {a[-1]!r} + {b[0]!r}")
        for piece in pieces:
            for k in range(1, len(piece)):
                assert not (a[-1].endswith(piece[:k]) and b[0].startswith(piece[k:])
                            and a[-1] not in words), f"code {piece} split: {a[-1]!r} / {b[0]!r}"
    for line in text.splitlines():
        if line.startswith("  ") and ("Source" in line or "http" in line):
            continue  # unwrapped source lines may run past the edge on purpose
        assert len(line) <= 80, line


def test_urls_are_on_unbordered_unwrapped_lines():
    result = explain(["550 5.7.26", "5.7.912"], provider="gmail")
    text = render_explain(result, width=80)
    urls = {s for item in result.items for s in item.source if s.startswith("http")}
    urls |= {item.provider.doc_url for item in result.items if item.provider}
    assert urls
    for url in urls:
        holding = [line for line in text.splitlines() if url in line]
        assert holding, url
        assert all("│" not in line for line in holding)


def test_panel_titles_fit():
    result = explain(["550 5.7.26", "5.7.912", "421 4.7.0"])
    text = render_explain(result, width=80)
    tops = [line for line in text.splitlines() if line.startswith("╭")]
    assert [" ".join(_tokens(t)) for t in tops] == ["550 5.7.26", "5.7.912", "421 4.7.0"]
    assert all(t.endswith("╮") and len(t) == 80 for t in tops)
    flat = _flat(text)
    for item in result.items:
        assert " ".join(item.title.split()) in flat


# -- 17: control characters, --version ---------------------------------------------------------

def test_control_characters_are_escaped_in_errors(capsys):
    result = explain(["\x1b[31m550", "5.1.\x07"])
    assert result.errors[0].startswith("'\\x1b[31m550' is not an SMTP code")
    assert result.errors[1].startswith("'5.1.\\x07' is not an SMTP code")
    assert main(["explain", "\x1b[31m550"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "'\\x1b[31m550' is not an SMTP code" in err
    assert main(["explain", "--provider", "\x1b[2Jx", "550"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "unknown provider '\\x1b[2Jx'" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"smtpbot {version('smtpbot')}\n"


def test_which_matters_groups_read_as_sentences():
    comp = explain(["550", "5.1.1", "421"]).comparison
    assert comp.which_matters.startswith("Each of 550 and 5.1.1 needs someone to change something before sending again; "
                                         "421 usually clears")


def test_advice_follows_the_class():
    assert explain_code(None, "4.4.7").fix.startswith("Nothing to resend: the MTA still retries.")
    assert explain_code(None, "5.4.7").fix.endswith("then send the message again: the MTA has given up on it.")
    assert explain_code("451", "X.4.7").fix == explain_code(None, "4.4.7").fix
    for xcode in KB.enhanced_codes():
        final = explain_code(None, "5" + xcode[1:]).fix
        assert not re.match(r"(?:Usually nothing|Wait)\b[^.]*:? the sending MTA retries", final), xcode
        assert not GIVE_UP.search(explain_code(None, "4" + xcode[1:]).fix), xcode


# --------------------------------------------------------------------------- provider meaning + one standard line

@pytest.mark.parametrize("reply, enh, text, rule, line", [
    ("550", "5.7.708", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. "
     "AS(42000) [DM6NAM10FT012.eop-nam10.prod.protection.outlook.com]",
     "microsoft.tenant-blocked", "Standard: 5.7.x = permanent failure, security or policy"),
    ("554", "5.4.1", "554 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
     "[DM6NAM10FT012.eop-nam10.prod.protection.outlook.com]",
     "microsoft.dbeb-as", "Standard: 5.4.x = permanent failure, network and routing"),
    ("421", "4.7.27", "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass. gsmtp",
     "gmail.spf-not-pass", "Standard: 4.7.x = temporary failure, security or policy"),
    ("550", "5.7.29", "550-5.7.29 Your email has been blocked because the sending server does not use TLS. gsmtp",
     "gmail.tls-required-bulk", "Standard: 5.7.x = permanent failure, security or policy"),
    ("421", "4.7.30", "421-4.7.30 Your email has been rate limited because DKIM authentication didn't pass. gsmtp",
     "gmail.dkim-not-pass", "Standard: 4.7.x = temporary failure, security or policy"),
    ("421", "4.7.23", "421-4.7.23 The sending IP does not have a PTR record. gsmtp",
     "gmail.ptr-missing-temp", "Standard: 4.7.x = temporary failure, security or policy"),
    ("550", "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist. gsmtp",
     "gmail.no-such-user", "Standard: 5.1.1 = Bad destination mailbox address"),
])
def test_provider_meaning_then_one_short_standard_line(reply, enh, text, rule, line):
    from knowledge.providers import match

    note = match(reply, enh, text)
    assert note is not None and note.rule_id == rule
    item = explain_with_provider(reply, enh, note)
    assert item.meaning == f"{note.provider}: {note.meaning} {line}"
    std = explain_code(reply, enh)
    assert std.meaning not in item.meaning and explain_code(reply, None).meaning not in item.meaning
    assert "has no entry here" not in item.meaning and "Look the exact code up" not in item.meaning
    assert item.parts == std.parts and [p.meaning for p in item.parts] == [p.meaning for p in std.parts]


def test_every_redefined_code_is_explained_at_class_and_subject_level():
    from knowledge.providers import _index

    seen = 0
    for rule in _index().rules.values():
        for code in rule.redefines:
            std = explain_code(None, code)
            assert not std.derived, (rule.id, code)  # only registered numbers can be redefined
            c, s, _ = code.split(".")
            line, class_level = standard_line(std, rule.id)
            assert class_level and line.startswith(f"Standard: {c}.{s}.x = ")
            assert std.title not in line
            seen += 1
    assert seen >= 25
