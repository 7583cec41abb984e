"""Hostile requests to ``smtpbot serve --http`` (a real process, real HTTP, fake Slack).

What must hold for every request that is not signed by Slack (bad or missing signature;
missing, non-numeric, stale or future timestamp): a quick 401, no outbound call at all
(in particular none to a ``response_url`` the sender chose), and nothing of its body in
the logs. Bodies over ``MAX_BODY_BYTES`` get 413 without being read; odd shapes
(many form fields, JSON that is not an object, other methods) get a sane status quickly.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse

import pytest
from slack_bolt.request import BoltRequest

from bot.slack.http_server import MAX_BODY_BYTES
from tests.bot.slack import signing
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack
from tests.bot.slack.harness import ServerProcess, SlackHarness

SECRET_TEXT = "550 5.7.26 NDR-PASTED-TEXT-7731"
SECRET_ADDRESS = "victim.person@example.com"
FAST_S = 2.0  # far above what a rejection costs (a few ms), far below the old minutes-long stall


@pytest.fixture(scope="module")
def served():
    """``smtpbot serve --http`` at LOG_LEVEL=INFO (where Bolt logged rejected bodies) + its fake Slack."""
    fake = FakeSlack().start()
    server = ServerProcess(fake, {"LOG_LEVEL": "INFO"})
    try:
        yield server, fake
    finally:
        if server.proc.poll() is None:
            server.stop()
        fake.stop()


def _request(url: str, method: str = "POST", body: bytes = b"", headers: dict | None = None,
             timeout: float = 30) -> tuple[int, bytes, float, dict]:
    """(status, body, seconds, headers) of one request over a fresh connection."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    start = time.perf_counter()
    try:
        conn.request(method, parts.path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data, time.perf_counter() - start, dict(resp.getheaders())
    finally:
        conn.close()


def _form(fake: FakeSlack, name: str) -> str:
    return urllib.parse.urlencode({
        "token": "x", "team_id": TEAM_ID, "channel_id": "C0HOSTILE", "user_id": "U0USER01", "command": "/smtp",
        "text": f"{SECRET_TEXT} {SECRET_ADDRESS}", "response_url": fake.response_url(name), "trigger_id": "1.2.3",
    })


def _alive(server: ServerProcess) -> None:
    status, body, elapsed, _ = _request(server.url + "/healthz", "GET")
    assert (status, json.loads(body)["ok"]) == (200, True) and elapsed < FAST_S


FORM = "application/x-www-form-urlencoded"


def _unverified_headers(kind: str, body: str) -> dict:
    now = int(time.time())
    good = signing.sign(body)
    return {
        "non-numeric timestamp": {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=aa"},
        "non-ascii digits timestamp": {"X-Slack-Request-Timestamp": "١٢٣", "X-Slack-Signature": good["X-Slack-Signature"]},
        "huge timestamp": {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=aa"},
        "missing timestamp": {"X-Slack-Signature": good["X-Slack-Signature"]},
        "stale timestamp": signing.sign(body, timestamp=now - 6 * 60),
        "future timestamp": signing.sign(body, timestamp=now + 6 * 60),
        "bad signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=aa"},
        "missing signature": {"X-Slack-Request-Timestamp": str(now)},
        "wrong secret": signing.sign(body, secret="not-the-signing-secret"),
        "signature of another body": signing.sign(body + "&x=1"),
    }[kind]


UNVERIFIED = ["non-numeric timestamp", "non-ascii digits timestamp", "huge timestamp", "missing timestamp",
              "stale timestamp", "future timestamp", "bad signature", "missing signature", "wrong secret",
              "signature of another body"]


@pytest.mark.parametrize("kind", UNVERIFIED)
def test_unverified_request_gets_401_and_calls_nothing(served, kind):
    server, fake = served
    name = "attacker-" + kind.replace(" ", "-")
    body = _form(fake, name)
    headers = {"Content-Type": FORM, **_unverified_headers(kind, body)}
    headers = {k: v.encode() if not v.isascii() else v for k, v in headers.items()}
    calls_before = len(fake.calls)
    status, data, elapsed, _ = _request(server.url + "/slack/events", body=body.encode(), headers=headers)
    assert (status, json.loads(data)) == (401, {"error": "invalid request"})
    assert elapsed < FAST_S
    time.sleep(0.3)  # an apology or answer would be posted within milliseconds
    assert fake.calls[calls_before:] == []
    _alive(server)


@pytest.mark.parametrize("size", [20_000, 300_000, MAX_BODY_BYTES])
def test_large_body_with_bad_signature_is_refused_quickly(served, size):
    server, _ = served
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=aa"}
    status, _, elapsed, _ = _request(server.url + "/slack/events", body=b"a" * size, headers=headers)
    assert status == 401 and elapsed < FAST_S
    _alive(server)


def _announce(url: str, length: int, headers: dict, send: bytes = b"") -> tuple[int, bytes, float]:
    """Send a POST's headers with ``Content-Length: length`` and only ``send`` of its body, then
    read the answer: a size refusal must come without waiting for (or reading) the body."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    start = time.perf_counter()
    try:
        conn.putrequest("POST", parts.path)
        for k, v in {**headers, "Content-Length": str(length)}.items():
            conn.putheader(k, v)
        conn.endheaders(send or None)
        resp = conn.getresponse()
        return resp.status, resp.read(), time.perf_counter() - start
    finally:
        conn.close()


def test_body_over_the_cap_gets_413_even_when_signed(served):
    server, _ = served
    url = server.url + "/slack/events"
    body = "a" * (MAX_BODY_BYTES + 1)
    status, data, elapsed, _ = _request(url, body=body.encode(), headers={"Content-Type": FORM, **signing.sign(body)})
    assert (status, json.loads(data)) == (413, {"error": "request body too large"}) and elapsed < FAST_S
    # 50 MB announced, 64 KiB sent, bad signature: refused at once, the rest is never awaited
    bad = {"Content-Type": FORM, "X-Slack-Signature": "v0=aa", "X-Slack-Request-Timestamp": str(int(time.time()))}
    status, _, elapsed = _announce(url, 50 * 1024 * 1024, bad, send=b"a" * 65536)
    assert status == 413 and elapsed < FAST_S
    # a whole 5 MB body sent by an ordinary client: it gets the 413 (not a reset connection)
    status, data, elapsed, _ = _request(url, body=b"a" * (5 * 1024 * 1024), headers=bad)
    assert (status, json.loads(data)) == (413, {"error": "request body too large"}) and elapsed < FAST_S
    # exactly at the cap is still read (and then refused for its signature, not its size)
    status, _, elapsed, _ = _request(url, body=b"a" * MAX_BODY_BYTES,
                                     headers={"Content-Type": FORM, **signing.sign("b")})
    assert status == 401 and elapsed < FAST_S
    _alive(server)


def test_chunked_body_over_the_cap_gets_413(served):
    """No Content-Length: the cap applies to the bytes streamed so far."""
    server, _ = served
    parts = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunk = b"a" * 65536
    start = time.perf_counter()
    try:
        conn.putrequest("POST", "/slack/events")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.putheader("Content-Type", FORM)
        conn.putheader("X-Slack-Request-Timestamp", str(int(time.time())))
        conn.putheader("X-Slack-Signature", "v0=aa")
        conn.endheaders()
        for _ in range(2 * MAX_BODY_BYTES // len(chunk)):  # twice the cap
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == 413 and time.perf_counter() - start < FAST_S
    _alive(server)


def test_odd_requests_get_sane_statuses_quickly(served):
    server, fake = served
    url = server.url + "/slack/events"
    # 50,000 form fields, unsigned: refused before anything parses them
    many = "&".join(f"f{i}=v" for i in range(50_000)).encode()
    status, _, elapsed, _ = _request(url, body=many, headers={"Content-Type": FORM, "X-Slack-Signature": "v0=aa",
                                                              "X-Slack-Request-Timestamp": str(int(time.time()))})
    assert status == 401 and elapsed < FAST_S
    # the same, signed: Bolt parses it, no listener matches -> 404, quickly
    status, _, elapsed, _ = _request(url, body=many, headers={"Content-Type": FORM, **signing.sign(many.decode())})
    assert status == 404 and elapsed < FAST_S
    # signed JSON bodies that are not objects
    for raw in ("[1, 2, 3]", '"just a string"', "null", "42", "{not json"):
        status, _, elapsed, _ = _request(url, body=raw.encode(),
                                         headers={"Content-Type": "application/json", **signing.sign(raw)})
        assert status in (400, 404) and elapsed < FAST_S, raw
    # signed body that is not UTF-8
    raw = b"text=\xff\xfe"
    status, _, _, _ = _request(url, body=raw, headers={"Content-Type": FORM, **signing.sign(raw.decode("latin-1"))})
    assert status in (400, 401)
    # other methods on the events path
    for method in ("GET", "PUT", "DELETE"):
        status, _, elapsed, headers = _request(url, method)
        assert (status, headers.get("allow")) == (405, "POST") and elapsed < FAST_S
    # HEAD /healthz: 200, headers only
    status, data, elapsed, _ = _request(server.url + "/healthz", "HEAD")
    assert (status, data) == (200, b"") and elapsed < FAST_S
    status, _, _, _ = _request(server.url + "/nothing-here", "GET")
    assert status == 404
    _alive(server)


def test_rejected_requests_leave_no_body_in_the_logs():
    """Every rejected shape above, then the server's whole stderr: reasons, never the body."""
    fake = FakeSlack().start()
    server = ServerProcess(fake, {"LOG_LEVEL": "INFO"})
    try:
        url = server.url + "/slack/events"
        for kind in UNVERIFIED:
            body = _form(fake, "logs")
            _request(url, body=body.encode(), headers={"Content-Type": FORM, **{
                k: v for k, v in _unverified_headers(kind, body).items() if v.isascii()}})
        payload = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event": {
            "type": "message", "channel": "C1", "text": f"{SECRET_TEXT} {SECRET_ADDRESS}"}})
        _request(url, body=payload.encode(), headers={"Content-Type": "application/json",
                                                      "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=aa"})
        # signed but unhandled (Bolt's "Unhandled request" warning carries the body's fields)
        odd = urllib.parse.urlencode({"type": "something_new", "value": SECRET_ADDRESS, "callback_id": SECRET_TEXT})
        assert _request(url, body=odd.encode(), headers={"Content-Type": FORM, **signing.sign(odd)})[0] == 404
        _alive(server)
    finally:
        code = server.stop()
        fake.stop()
    logs = server.stderr
    assert code == 0
    assert "rejected request: bad signature" in logs and "rejected request: malformed timestamp" in logs
    for secret in (SECRET_TEXT, "NDR-PASTED-TEXT", SECRET_ADDRESS, "victim.person", "response_url",
                   "/response/logs", "body:", "Traceback"):
        assert secret not in logs, secret
    assert fake.find("response_url") == []


def test_error_handler_never_apologises_to_an_unverified_request():
    """Bolt's own verification raising (non-numeric timestamp) reaches the global error handler
    with the forged body; it must not call the body's ``response_url``. A verified request whose
    handling fails still gets the apology."""
    h = SlackHarness()
    try:

        @h.app.middleware
        def explode(next):  # noqa: A002, ANN001 - Bolt's name
            raise RuntimeError("listener failure")

        def command(name: str, headers: dict | None) -> BoltRequest:
            body = _form(h.fake, name)
            headers = headers if headers is not None else signing.sign(body)
            return BoltRequest(body=body, headers={"content-type": FORM, **{k.lower(): v for k, v in headers.items()}})

        resp = h.app.dispatch(command("forged", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=aa"}))
        assert resp.status in (401, 500)
        resp = h.app.dispatch(command("verified", None))
        assert resp.status == 500
        [apology] = h.fake.wait("response_url")
        assert apology.path == "/response/verified" and "Sorry" in apology.params.get("text", "")
        time.sleep(0.2)
        assert [c.path for c in h.fake.find("response_url")] == ["/response/verified"]
    finally:
        h.fake.stop()
