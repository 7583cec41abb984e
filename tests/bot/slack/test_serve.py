"""``smtpbot serve --http`` as a real process: health, a command answered, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.bot.slack import signing
from tests.bot.slack.checks import assert_valid_message
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack
from tests.bot.slack.harness import ServerProcess


def test_serve_http_process_answers_and_stops_cleanly():
    fake = FakeSlack().start()
    server = ServerProcess(fake, {"LOG_LEVEL": "INFO"})
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as resp:
            assert resp.status == 200 and json.loads(resp.read())["ok"] is True
        form = {"team_id": TEAM_ID, "channel_id": "C0SERVE1", "user_id": "U0USER01", "command": "/smtp",
                "text": "421 450 451 452", "response_url": fake.response_url("serve"), "trigger_id": "1.2.3"}
        status, body = signing.post_command(server.url + "/slack/events", form)
        assert (status, body) == (200, "")
        # SIGTERM right after the ack: the reply in flight is still posted, then exit 0
        code = server.stop()
        calls = fake.find("chat.postMessage", channel="C0SERVE1")
        assert len(calls) == 2 and calls[1].params["thread_ts"]
        for c in calls:
            assert_valid_message(c.params)
        assert code == 0
        assert "xoxb-bench-0000" not in server.stderr
        assert "Traceback" not in server.stderr
    finally:
        if server.proc.poll() is None:
            server.stop()
        fake.stop()


@pytest.mark.parametrize(("url", "expected"), [
    ("mysql://u:secretpw@db.example.net/bot",
     "smtpbot serve: configuration error: DATABASE_URL: unsupported scheme 'mysql' "
     "(supported: sqlite:///path, postgresql://... or postgresql+psycopg://...)"),
    ("sqlite:///{tmp}/missing/dir/x.db",
     "smtpbot serve: configuration error: DATABASE_URL: directory {tmp}/missing/dir does not exist "
     "(create it, or point the SQLite file elsewhere)"),
])
def test_serve_bad_database_url_is_one_line_exit_2(tmp_path, url, expected):
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_API_URL="http://127.0.0.1:9/",
               DATABASE_URL=url.format(tmp=tmp_path), PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['serve', '--http']))"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == expected.format(tmp=tmp_path)
    assert not (tmp_path / "missing").exists()
