"""Logs never contain a token, message text or an address; request ids on every line; metrics."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import observability as obs

BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f"
USER_TOKEN = "xoxp-111-222-333-abcdef"
ADDRESS = "jane.doe@example.com"
MESSAGE = "Hi team, our invoices to the customer bounced again"
SECRETS = (BOT_TOKEN, APP_TOKEN, USER_TOKEN, ADDRESS, "jane.doe", MESSAGE, "bounced again")


@pytest.fixture
def captured():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()

    def setup(fmt: str, level: str = "DEBUG") -> io.StringIO:
        obs.configure_logging(level, fmt, stream=buf)
        return buf

    yield setup
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def _emit_everything(log: logging.Logger) -> None:
    payload = {"token": BOT_TOKEN, "event": {"type": "message", "text": MESSAGE, "user": "U1", "channel": "C1"}}
    log.info("got payload %s", payload)
    log.info("json payload %s", json.dumps(payload))
    log.warning("posting with %s to %s", BOT_TOKEN, ADDRESS)
    log.info("socket mode app token=%s", APP_TOKEN)
    log.info("headers {'Authorization': 'Bearer %s'}", USER_TOKEN)
    log.info("blocks=%s", [{"type": "section", "text": {"type": "mrkdwn", "text": MESSAGE}}])
    log.info("GET /slack/oauth_redirect?code=1234.5678.abcd&state=0f0e0d HTTP/1.1")
    try:
        raise RuntimeError(f"failed for {ADDRESS} with {BOT_TOKEN}")
    except RuntimeError:
        log.exception("handler failed")
    logging.getLogger("slack_sdk.web.base_client").debug("Received the following response - body: %s", payload)
    logging.getLogger("slack_bolt.App").debug("payload %s", MESSAGE)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_no_secret_text_or_address_in_any_line(captured, fmt):
    buf = captured(fmt)
    log = logging.getLogger("smtpbot.test")
    with obs.bind(request_id="Ev0REQ1", team_id="T1", channel_id="C1", kind="message"):
        _emit_everything(log)
    out = buf.getvalue()
    assert out.count("handler failed") == 1
    for secret in SECRETS + ("1234.5678.abcd", "0f0e0d"):
        assert secret not in out, secret
    assert "[redacted]" in out
    assert "slack_sdk" not in out and "slack_bolt" not in out  # DEBUG payload dumps dropped
    assert "RuntimeError" in out  # exceptions still logged, only redacted


def test_json_lines_carry_request_id(captured):
    buf = captured("json")
    log = logging.getLogger("smtpbot.test")
    with obs.bind(request_id="Ev0REQ2", team_id="T9"):
        log.info("one")
        with obs.bind(channel_id="C9", kind="mention"):
            log.info("two")
    log.info("three")
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [(l["msg"], l["request_id"], l.get("team_id"), l.get("channel_id"), l.get("kind")) for l in lines] == [
        ("one", "Ev0REQ2", "T9", None, None),
        ("two", "Ev0REQ2", "T9", "C9", "mention"),
        ("three", None, None, None, None),
    ]
    assert all(l["level"] == "info" and l["logger"] == "smtpbot.test" and l["ts"].endswith("+00:00") for l in lines)


def test_context_reaches_listener_threads(captured):
    buf = captured("json")
    log = logging.getLogger("smtpbot.test")
    with obs.ContextThreadPoolExecutor(max_workers=2) as pool:
        futures = []
        for i in range(4):
            with obs.bind(request_id=f"Ev{i}"):
                futures.append(pool.submit(log.info, "worker %s", i))
        for f in futures:
            f.result()
    ids = sorted((json.loads(l)["msg"], json.loads(l)["request_id"]) for l in buf.getvalue().splitlines())
    assert ids == [(f"worker {i}", f"Ev{i}") for i in range(4)]


def test_bind_rejects_unknown_fields():
    with pytest.raises(ValueError, match="text"):
        with obs.bind(text="hello"):
            pass


def test_bad_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        obs.configure_logging("INFO", "xml", stream=io.StringIO())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("reply 550 5.7.26 from mx.example.net", "reply 550 5.7.26 from mx.example.net"),
        ("error=not_in_channel method=chat.postMessage", "error=not_in_channel method=chat.postMessage"),
        ("to <mailto:a.b@example.org|a.b@example.org>", "to <mailto:[redacted]|[redacted]>"),
        ("'text': 'it\\'s 421'", "'text': '[redacted]'"),
        ('{"text": "x", "ts": "1.2"}', '{"text": "[redacted]", "ts": "1.2"}'),
        ("xoxe.xoxp-1-abc refresh", "[redacted] refresh"),
        ("bounce for müller@example.com and иван@пример.рф", "bounce for [redacted] and [redacted]"),
    ],
)
def test_redact(given, expected):
    assert obs.redact(given) == expected


def test_request_id_from_body():
    assert obs.request_id_from_body({"event_id": "Ev1", "trigger_id": "t"}) == "Ev1"
    assert obs.request_id_from_body({"trigger_id": "123.456"}) == "123.456"
    assert obs.request_id_from_body({}).startswith("req-")


def _sample(name: str, labels: dict[str, str]) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_counters_and_exposition():
    before = _sample("smtpbot_requests_total", {"kind": "command"})
    obs.record_request("command")
    obs.record_request("command")
    assert _sample("smtpbot_requests_total", {"kind": "command"}) == before + 2
    obs.record_annotation("auto")
    obs.record_slack_api_error("chat.postMessage", "not_in_channel")
    with obs.timed("command"):
        pass
    body, ctype = obs.render_metrics()
    text = body.decode()
    assert ctype.startswith("text/plain")
    assert 'smtpbot_slack_api_errors_total{code="not_in_channel",method="chat.postMessage"}' in text
    assert 'smtpbot_annotations_total{trigger="auto"}' in text
    assert 'smtpbot_handling_seconds_bucket{kind="command",le="0.005"}' in text


def test_web_client_errors_counted():
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web import SlackResponse

    client = WebClient(token="xoxb-test")

    def fake_call(self, api_method, **kwargs):  # the real api_call without the network
        resp = SlackResponse(
            client=self, http_verb="POST", api_url="https://slack.invalid/api/" + api_method,
            req_args={}, data={"ok": False, "error": "channel_not_found"}, headers={}, status_code=200,
        )
        return resp.validate()

    obs.install_api_error_metrics(client)
    base = type(client).__mro__[1]
    original = base.api_call
    base.api_call = fake_call
    try:
        before = _sample("smtpbot_slack_api_errors_total", {"method": "chat.postMessage", "code": "channel_not_found"})
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C404", text="x")
        after = _sample("smtpbot_slack_api_errors_total", {"method": "chat.postMessage", "code": "channel_not_found"})
    finally:
        base.api_call = original
    assert after == before + 1
    assert isinstance(client, WebClient)


def test_slack_library_lines_lose_their_payload(captured):
    """Bolt's INFO/WARNING lines that embed the request body keep their first words only."""
    buf = captured("text", "INFO")
    form = f"token=x&command=%2Fsmtp&text=550+{MESSAGE.replace(' ', '+')}&response_url=http%3A%2F%2Fexample.net%2Fr"
    logging.getLogger("slack_bolt.middleware.request_verification.request_verification").info(
        "Invalid request signature detected (signature: v0=aa, timestamp: 1, body: %s)", form)
    logging.getLogger("slack_bolt.App").warning("Unhandled request ({'type': None, 'value': '%s'})", ADDRESS)
    logging.getLogger("slack_bolt.App").warning(
        "explain didn't call ack() for the request ({'text': '%s'})", MESSAGE)
    lines = [line.split("] ", 1)[1] for line in buf.getvalue().splitlines()]
    assert lines == [
        "Invalid request signature detected [request payload not logged]",
        "Unhandled request [request payload not logged]",
        "explain didn't call ack() for the request [request payload not logged]",
    ]


def test_form_bodies_and_long_messages(captured):
    assert obs.redact(f"body: token=x&text=550+5.7.26&response_url=http%3A%2F%2Fx&user_name=jane") == \
        "body: token=[redacted]&text=[redacted]&response_url=[redacted]&user_name=[redacted]"
    buf = captured("text", "INFO")
    logging.getLogger("smtpbot.test").info("x" * (obs.MAX_LOG_CHARS + 500))
    line = buf.getvalue().rstrip("\n")
    assert line.endswith("x" * obs.MAX_LOG_CHARS + " [... 500 more characters]")
    assert obs.truncate("abc", 5) == "abc" and obs.truncate("abcdef", 3) == "abc [... 3 more characters]"
