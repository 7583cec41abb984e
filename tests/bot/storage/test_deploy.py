"""Several replicas and real processes: ``smtpbot serve --http`` against the fake Slack Web API.

* two app processes on one PostgreSQL (and on one SQLite file): the same signed event
  sent to both at once -> exactly one ``chat.postMessage``;
* ``/healthz`` reports the database, ``/metrics`` serves Prometheus text;
* JSON logs: a request id on every request line, no token / message text / address;
* SIGTERM: new connections refused, the in-flight reply still posted, exit 0.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.slack.http_server import free_port
from tests.bot.slack import signing
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack

REPO = Path(__file__).resolve().parents[3]
BOT_TOKEN = "xoxb-test-0000-replica-token"
ADDRESS = "jane.doe@example.com"


def _get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Replica:
    """One ``smtpbot serve --http`` process."""

    def __init__(self, fake: FakeSlack, database_url: str, cwd: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"replica-{self.port}.log"
        full_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "LOG_", "ADMIN_"))
        }
        full_env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=signing.SIGNING_SECRET, SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url, LOG_FORMAT="json", LOG_LEVEL="INFO", PYTHONPATH=str(REPO), **env,
        )
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
             "serve", "--http", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=cwd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"replica exited {self.proc.returncode}: {self.log()}")
            try:
                status, body = _get(self.url + "/healthz", timeout=1)
                if status == 200:
                    return json.loads(body)
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"replica not ready: {self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


@pytest.fixture
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture
def replicas(fake, tmp_path):
    started: list[Replica] = []

    def start(database_url: str, n: int = 2, **env: str) -> list[Replica]:
        new = [Replica(fake, database_url, tmp_path, **env) for _ in range(n)]
        started.extend(new)
        for r in new:
            r.wait_ready()
        return new

    yield start
    for r in started:
        r.stop()


def _event_body(channel: str, ts: str, event_id: str, text: str) -> str:
    return json.dumps({
        "token": "legacy-unused", "team_id": TEAM_ID, "api_app_id": "A0000001", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "event": {"type": "app_mention", "channel": channel, "user": "U0USER01", "ts": ts, "team": TEAM_ID,
                  "text": f"<@{BOT_USER_ID}> {text}"},
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    })


def _send_to_all_at_once(urls: list[str], body: str, headers: dict | None = None) -> list[int]:
    """POST the same signed body to every URL at the same moment; returns the statuses."""
    signed = {**signing.sign(body), **(headers or {})}
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = [0] * len(urls)

    def send(i: int) -> None:
        req = urllib.request.Request(urls[i] + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **signed})
        barrier.wait()
        with urllib.request.urlopen(req, timeout=10) as resp:
            statuses[i] = resp.status

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    return statuses


def _metric(url: str, name: str) -> float:
    status, text = _get(url + "/metrics")
    assert status == 200
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _exactly_once(fake: FakeSlack, reps: list[Replica], n_events: int = 4) -> None:
    urls = [r.url for r in reps]
    for i in range(n_events):
        channel, ts = f"C0RACE{i:03d}", f"1800000100.{i:06d}"
        body = _event_body(channel, ts, f"Ev0RACE{i:04d}{int(time.time())}", f"what is 550 5.1.1 for {ADDRESS}?")
        assert _send_to_all_at_once(urls, body) == [200] * len(urls)
        try:
            fake.wait("chat.postMessage", channel=channel, timeout=15)
        except AssertionError:  # show what each replica logged
            raise AssertionError("no reply posted; replica logs:\n" + "\n".join(r.log() for r in reps)) from None
        # a Slack retry of the same event landing on another replica a bit later
        assert _send_to_all_at_once(urls[::-1], body, {"X-Slack-Retry-Num": "1",
                                                       "X-Slack-Retry-Reason": "http_timeout"}) == [200] * len(urls)
        time.sleep(0.5)
        posts = fake.find("chat.postMessage", channel=channel)
        assert len(posts) == 1, [p.params.get("text") for p in posts]
        assert posts[0].params["thread_ts"] == ts
        assert posts[0].headers.get("Authorization") == f"Bearer {BOT_TOKEN}"
    # every delivery after the first was refused by its claim: 2 per event per extra... all counted
    duplicates = sum(_metric(u, "smtpbot_duplicate_events_total") for u in urls)
    assert duplicates == n_events * (2 * len(urls) - 1)


def test_two_replicas_on_postgresql_answer_once(fake, replicas, pg_url):
    reps = replicas(pg_url, n=2)
    _exactly_once(fake, reps)


def test_two_replicas_on_one_sqlite_file_answer_once(fake, replicas, tmp_path):
    reps = replicas(f"sqlite:///{tmp_path / 'shared.db'}", n=2)
    _exactly_once(fake, reps, n_events=2)


def test_health_metrics_and_clean_json_logs(fake, replicas, tmp_path):
    (rep,) = replicas(f"sqlite:///{tmp_path / 'one.db'}", n=1)
    status, body = _get(rep.url + "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True, "checks": {"database": "reachable"}})
    body = _event_body("C0LOGS01", "1800000200.000001", "Ev0LOGS0001", f"bounce for {ADDRESS}: 550 5.1.1")
    assert _send_to_all_at_once([rep.url], body) == [200]
    fake.wait("chat.postMessage", channel="C0LOGS01", timeout=15)
    deadline = time.monotonic() + 10  # the handling time is recorded just after the post
    while _metric(rep.url, 'smtpbot_handling_seconds_count{kind="mention"}') != 1.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _metric(rep.url, 'smtpbot_handling_seconds_count{kind="mention"}') == 1.0
    assert _metric(rep.url, 'smtpbot_requests_total{kind="mention"}') == 1.0
    rep.stop()
    log = rep.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert lines, log
    assert all({"ts", "level", "logger", "msg", "request_id"} <= set(line) for line in lines)
    request_lines = [line for line in lines if line.get("request_id") == "Ev0LOGS0001"]
    assert request_lines  # the request was logged with its event id
    for secret in (BOT_TOKEN, ADDRESS, "jane.doe", "bounce for", signing.SIGNING_SECRET):
        assert secret not in log
    # the database holds ids and settings only: nothing of the message
    import sqlite3

    with sqlite3.connect(tmp_path / "one.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = [str(v) for t in tables for row in db.execute(f"SELECT * FROM {t}") for v in row]
    assert sorted(tables) == ["smtpbot_channel_settings", "smtpbot_event_claims", "smtpbot_schema_version"]
    assert "event:Ev0LOGS0001" in values and "msg:C0LOGS01:1800000200.000001" in values
    # (claim rows carry a Unix time such as 1795945503.07, which may contain the digits 550,
    # so look for the message's own pieces, not for bare digits)
    assert not [v for v in values if any(piece in v for piece in ("@", "bounce", "5.1.1", "550 ", "jane"))]


class TcpProxy:
    """Forwards a loopback port to the PostgreSQL server; ``cut()`` drops every connection
    and refuses new ones (the database becomes unreachable), ``restore()`` undoes it."""

    def __init__(self, host: str, port: int) -> None:
        import socket

        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.conns: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:  # noqa: ANN001
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        import socket

        self.open = False
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.conns = []

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_health_reports_unreachable_database(fake, replicas, pg_url):
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "localhost", url.port or 5432)
    try:
        (rep,) = replicas(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), n=1)
        assert _get(rep.url + "/healthz")[0] == 200
        proxy.cut()
        status, body = _get(rep.url + "/healthz", timeout=20)
        assert (status, json.loads(body)) == (503, {"ok": False, "checks": {"database": "unreachable"}})
        proxy.restore()
        status, body = _get(rep.url + "/healthz", timeout=20)
        assert (status, json.loads(body)) == (200, {"ok": True, "checks": {"database": "reachable"}})
    finally:
        proxy.close()


def test_sigterm_finishes_in_flight_reply(fake, replicas, tmp_path):
    (rep,) = replicas(f"sqlite:///{tmp_path / 'term.db'}", n=1)
    entered = threading.Event()

    def slow(params: dict) -> bool:  # runs inside the fake while it answers chat.postMessage
        if params.get("channel") != "C0TERM01" or entered.is_set():
            return False
        entered.set()
        time.sleep(2.0)
        return False  # then answer normally

    fake.script("chat.postMessage", when=slow, times=1)
    body = _event_body("C0TERM01", "1800000300.000001", "Ev0TERM0001", "what is 421?")
    assert _send_to_all_at_once([rep.url], body) == [200]
    assert entered.wait(15)
    rep.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(OSError):
        _get(rep.url + "/healthz", timeout=2)  # no longer taking work
    assert rep.proc.wait(30) == 0, rep.log()
    posts = fake.find("chat.postMessage", channel="C0TERM01")
    assert len(posts) == 1 and posts[0].params["thread_ts"] == "1800000300.000001"


def test_unreachable_database_stops_startup_with_one_line(tmp_path):
    port = free_port()  # nothing listens there
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=signing.SIGNING_SECRET, PYTHONPATH=str(REPO),
               DATABASE_URL=f"postgresql://smtpbot:pw-not-shown@127.0.0.1:{port}/smtpbot")
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
         "serve", "--http", "--port", str(free_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("smtpbot serve: cannot start: database (OperationalError: connection failed")
    assert line.endswith("check DATABASE_URL")
    assert "pw-not-shown" not in proc.stderr and "Traceback" not in proc.stderr
