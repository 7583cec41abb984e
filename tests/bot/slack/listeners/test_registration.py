"""bot/slack/listeners/__init__.py: every kind registers its listeners, the catch-alls come last.

Bolt runs the first listener whose matchers match, so the catch-all event and action ackers must
be registered after every listener of their kind (else they would swallow ``app_mention`` or
``app_uninstalled``).
"""

from __future__ import annotations

from slack_bolt import App

from bot.config import Settings
from bot.slack.deps import BotDeps
from bot.slack.listeners import KINDS, register_listeners
from bot.storage.memory import MemoryStore


def _app() -> tuple[App, BotDeps]:
    app = App(signing_secret="s", token_verification_enabled=False, token="xoxb-test")
    deps = BotDeps(settings=Settings(_env_file=None), store=MemoryStore(), engine=None)
    register_listeners(app, deps)
    return app, deps


def test_each_kind_is_a_package_with_register():
    assert [k.__name__.rsplit(".", 1)[-1] for k in KINDS] == ["commands", "events", "shortcuts", "actions"]
    assert all(callable(k.register) for k in KINDS)


def test_registry_names_every_listener():
    _, deps = _app()
    assert deps.registry.commands == {"/smtp"}
    assert deps.registry.events == {"app_mention", "message.channels", "message.groups", "message.im",
                                    "app_home_opened", "app_uninstalled", "tokens_revoked"}
    assert deps.registry.message_shortcuts == {"explain_smtp_codes"}
    assert set(deps.subcommands) == {"auto", "mask"}


def test_catch_alls_are_registered_last():
    app, _ = _app()
    names = [listener.ack_function.__name__ for listener in app._listeners]
    assert names[-2:] == ["unhandled_event", "unhandled_action"]
    assert names.index("on_mention") < names.index("unhandled_event")
    assert "_on_app_uninstalled" in names[: names.index("unhandled_event")]
