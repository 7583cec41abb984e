"""'hard bounce' / 'soft bounce' in knowledge texts are used only in the address sense.

A hard bounce says the address itself is bad (Sisimai's userunknown, hostunknown, hasmoved,
notaccept: the X.1.x family of RFC 3463 §3.2, reply codes 551 / 556); a soft bounce leaves the
address valid.  Anywhere else the texts say permanent / temporary (knowledge.severity).
"""

import re
import tomllib
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / "knowledge" / "data"
HARD = re.compile(r"(?i)\bhard[ -]?bounce")
SOFT = re.compile(r"(?i)\bsoft[ -]?bounce")
ADDRESS_REPLIES = {"551", "556"}  # user not local / domain accepts no mail (RFC 5321 §3.4, RFC 7504)


def _tables(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _tables(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _tables(v, (*path, i))


def _codes(table: dict) -> list[str]:
    out = []
    for key in ("code", "codes", "enhanced", "reply"):
        v = table.get(key)
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, str))
    return out


def _address_related(codes: list[str]) -> bool:
    enh = [c for c in codes if c.count(".") == 2]
    if enh:
        return all(c.split(".")[1] == "1" for c in enh)
    return bool(codes) and all(c in ADDRESS_REPLIES for c in codes)


def _uses():
    for f in sorted(DATA.rglob("*.toml")):
        data = tomllib.loads(f.read_text(encoding="utf-8"))
        for path, table in _tables(data):
            for key, value in table.items():
                if isinstance(value, str) and (HARD.search(value) or SOFT.search(value)):
                    yield f.relative_to(DATA).as_posix(), path, key, value, _codes(table)


def test_hard_bounce_only_for_address_entries():
    wrong = [(f, p, k) for f, p, k, v, codes in _uses() if HARD.search(v) and not _address_related(codes)]
    assert wrong == []


def test_soft_bounce_never_for_address_entries():
    wrong = [(f, p, k) for f, p, k, v, codes in _uses() if SOFT.search(v) and _address_related(codes)]
    assert wrong == []


def test_the_known_address_texts_still_say_hard_bounce():
    found = {(f, table_key) for f, _, table_key, v, codes in _uses() if HARD.search(v)}
    assert ("enhanced/subject-1-addressing.toml", "meaning") in found
    assert ("providers/gmail.toml", "meaning") in found


@pytest.mark.parametrize("rel, needle", [
    ("enhanced/classes.toml", "This is a hard bounce"),
    ("reply/5xx.toml", "this is a hard bounce"),
])
def test_class_texts_say_permanent_not_hard_bounce(rel, needle):
    text = (DATA / rel).read_text(encoding="utf-8")
    assert needle not in text
    assert "permanent" in text


def test_checker_flags_a_policy_rule_that_says_hard_bounce():
    table = {"id": "x.tenant", "enhanced": ["5.7.700-5.7.749"], "meaning": "This is a hard bounce."}
    assert not _address_related(_codes(table))
    assert _address_related(_codes({"enhanced": ["5.1.1", "5.1.10"]}))
    assert not _address_related(_codes({"reply": ["550"]}))


def test_explanations_say_hard_bounce_only_for_address_codes():
    from knowledge.explain import explain_code

    wrong = []
    for cls, replies in (("4", [None, "421", "450", "451"]), ("5", [None, "550", "553", "554"])):
        for subject in range(8):
            for detail in range(0, 31):
                enh = f"{cls}.{subject}.{detail}"
                for reply in replies:
                    x = explain_code(reply, enh)
                    text = " ".join([x.title, x.meaning, x.fix, x.retry, x.when])
                    if (HARD.search(text) and subject != 1) or SOFT.search(text):
                        wrong.append((reply, enh))
    assert wrong == []
