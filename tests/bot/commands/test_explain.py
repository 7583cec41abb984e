"""``smtpbot explain``: output formats and exit codes."""

import json
import os
import subprocess
import sys

import pytest

from bot.cli import main
from bot.commands.explain import queries_from_argv


def test_text_output_252_502(capsys):
    assert main(["explain", "252", "502"]) == 0
    out = capsys.readouterr().out
    assert "2xx positive completion" in out
    assert "5xx permanent negative" in out
    assert "How they differ" in out
    assert "Which matters when:" in out


def test_json_output(capsys):
    assert main(["explain", "--format", "json", "550 5.7.26"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in doc["items"]] == ["550 5.7.26"]
    assert doc["comparison"] is None


def test_all_malformed_exits_2(capsys):
    assert main(["explain", "999", "abc"]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    lines = cap.err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("smtpbot explain: '999' is not an SMTP code")


def test_partly_malformed_answers_the_rest(capsys):
    assert main(["explain", "--format", "json", "6.1.1", "421"]) == 0
    cap = capsys.readouterr()
    doc = json.loads(cap.out)
    assert [i["code"] for i in doc["items"]] == ["421"]
    assert len(doc["errors"]) == 1
    assert "'6.1.1' is not an SMTP code" in cap.err


def test_unknown_provider_is_usage_error(capsys):
    assert main(["explain", "--provider", "nosuchprovider", "550"]) == 2
    assert "unknown provider 'nosuchprovider'" in capsys.readouterr().err


def test_empty_provider_is_an_unknown_provider(capsys):
    assert main(["explain", "--provider", "", "550"]) == 2
    assert "unknown provider ''" in capsys.readouterr().err


def test_no_code_in_json_still_prints_the_document(capsys):
    assert main(["explain", "--format", "json", " "]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["items"] == [] and doc["errors"] == [
        "no code given; try 'smtpbot explain 550' or 'smtpbot explain --help'"]


def test_invisible_characters_around_a_pasted_code_are_ignored(capsys):
    assert main(["explain", "--format", "json", "5.7.26\u200b", "\ufeff550\u00a0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in doc["items"]] == ["5.7.26", "550"]


def test_no_code_is_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["explain"])
    assert info.value.code == 2


@pytest.mark.parametrize(
    "argv, queries",
    [
        (["252", "502"], ["252", "502"]),
        (["550", "5.7.26"], ["550", "5.7.26"]),
        (["550 5.7.26"], ["550 5.7.26"]),
        (["550 5.7.26 421"], ["550 5.7.26", "421"]),
        (["550 vs 5.7.26"], ["550", "5.7.26"]),
        (["550", "vs", "5.7.26"], ["550", "5.7.26"]),
        (["550,", "5.7.26"], ["550", "5.7.26"]),
        (["252,502"], ["252", "502"]),
        (["550-5.7.1", "421"], ["550-5.7.1", "421"]),
        (["abc"], ["abc"]),
    ],
)
def test_queries_from_argv(argv, queries):
    assert queries_from_argv(argv) == queries


def test_help_mentions_exit_codes_and_json(capsys):
    with pytest.raises(SystemExit) as info:
        main(["explain", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "exit status:" in out
    assert "every input is malformed" in out
    assert "JSON output of smtpbot explain" in out


def test_subprocess_exit_codes():
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot.cli", "explain", *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    ok = run("252")
    assert ok.returncode == 0 and "Cannot VRFY user" in ok.stdout and ok.stderr == ""
    bad = run("999")
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr


def test_closed_stdout_is_not_an_error():
    # more output than a pipe buffer (64 KiB) holds, so the writer really hits the closed pipe
    from knowledge.kb import get_kb

    codes = get_kb().reply_codes()[:45]
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "explain", *codes],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in err
