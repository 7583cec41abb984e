"""Fixtures for the Slack app tests: one fake Slack + app server per test module."""

from __future__ import annotations

import pytest

from tests.bot.slack.harness import SlackHarness


@pytest.fixture(scope="module")
def slack():
    """The app on a free loopback port, talking to a fake Slack Web API (see ``harness.py``)."""
    h = SlackHarness().start()
    try:
        yield h
    finally:
        h.stop()
