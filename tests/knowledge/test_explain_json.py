"""JSON schema stability of ``smtpbot explain --format json`` (ExplainResult dump)."""

import json

from knowledge.explain import explain
from knowledge.results import SCHEMA_VERSION

ITEM_KEYS = {"code", "kind", "class", "subject", "title", "meaning", "when", "fix", "who_acts", "retry",
             "standing", "derived", "related", "source", "parts", "provider", "notes"}


def _dump(queries):
    return json.loads(json.dumps(explain(queries).model_dump(mode="json", by_alias=True)))


def test_top_level_keys():
    doc = _dump(["252", "502"])
    assert set(doc) == {"schema_version", "items", "errors", "comparison"}
    assert doc["schema_version"] == SCHEMA_VERSION == 1


def test_item_keys_and_types():
    doc = _dump(["252", "550 5.7.26"])
    for item in doc["items"]:
        assert set(item) == ITEM_KEYS
    plain, combined = doc["items"]
    assert plain["kind"] == "reply" and plain["class"] == "2xx positive completion"
    assert plain["derived"] is False and plain["parts"] == [] and plain["provider"] is None
    assert isinstance(plain["source"], list) and isinstance(plain["who_acts"], list)
    assert combined["kind"] == "combined"
    assert [p["code"] for p in combined["parts"]] == ["550", "5.7.26"]
    for part in combined["parts"]:
        assert set(part) == ITEM_KEYS


def test_comparison_keys():
    doc = _dump(["421", "451"])
    comp = doc["comparison"]
    assert set(comp) == {"codes", "summary", "differences", "which_matters", "notes", "source"}
    assert comp["codes"] == ["421", "451"]
    for row in comp["differences"]:
        assert set(row) == {"aspect", "values"}
        assert len(row["values"]) == 2


def test_single_code_has_null_comparison_and_errors_list():
    doc = _dump(["999", "5.7.912"])
    assert doc["comparison"] is None
    assert len(doc["errors"]) == 1
    assert doc["items"][0]["derived"] is True and doc["items"][0]["standing"] == "derived"
