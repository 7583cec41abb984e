"""End to end over real HTTP: request verification and health (the listeners' own end-to-end tests
are in tests/bot/slack/listeners/). Signed requests in, exact Web API calls out (fake Slack).

The expected knowledge (titles, comparison summaries, annotation findings) is taken
from the engine itself, so these tests check the Slack behaviour, not the wording.
"""

from __future__ import annotations

import json
import time

from tests.bot.slack import signing
from tests.bot.slack.harness import uid
from tests.bot.slack.checks import settle as _settle


# -- request verification -------------------------------------------------------------

def test_url_verification_echoes_challenge(slack):
    status, body = signing.post_event(
        slack.events_url, {"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                           "token": "x"})
    assert status == 200
    assert json.loads(body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_forged_stale_and_unsigned_requests_get_401(slack):
    channel = uid("C")
    status, _ = slack.command("550", channel=channel, secret="not-the-signing-secret")
    assert status == 401
    status, _ = slack.command("550", channel=channel, timestamp=int(time.time()) - 60 * 10)
    assert status == 401
    status, _ = slack.command("550", channel=channel, signed=False)
    assert status == 401
    status, _ = slack.event(slack.mention("550", channel=channel), timestamp=int(time.time()) + 60 * 10)
    assert status == 401
    _settle()
    assert slack.fake.for_channel(channel) == []
    assert all(channel not in c.path for c in slack.fake.find("response_url"))


def test_healthz_is_200_once_ready(slack):
    import urllib.request

    with urllib.request.urlopen(slack.server.url + "/healthz", timeout=5) as resp:
        assert resp.status == 200
        assert json.loads(resp.read())["ok"] is True
