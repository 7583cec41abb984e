"""Every Slack listener, by kind, in the shape of Bolt's starter template.

``listeners/<kind>/`` (``commands``, ``events``, ``shortcuts``, ``actions``) is a package
whose ``register(app, deps)`` registers that kind's listeners, one module per listener
(https://github.com/slack-samples/bolt-python-starter-template). Listeners are thin: they
ack, filter what Slack sends, and call the reply code (:mod:`bot.slack.commands`,
:mod:`bot.slack.replies`, :mod:`bot.slack.home`). ``deps`` (:class:`bot.slack.deps.BotDeps`)
carries the settings, the store (exactly-once claims, channel settings) and the engine.

Adding a listener: a module in the right package with ``register(app, deps)``, listed in
that package's ``register``; its name in ``deps.registry`` so the manifest test checks it
against ``manifest.yml``; a test in ``tests/bot/slack/listeners/``.
"""

from __future__ import annotations

from typing import Any

from bot.slack.deps import BotDeps
from bot.slack.listeners import actions, commands, events, shortcuts

KINDS = (commands, events, shortcuts, actions)


def register_listeners(app: Any, deps: BotDeps) -> None:
    """Register every listener on the Bolt ``app``: each kind's ``register``, then the
    catch-alls that ack whatever no listener handled (events, then actions; Bolt runs the
    first listener that matches, so they come last and Slack never retries what we ignore)."""
    for kind in KINDS:
        kind.register(app, deps)
    events.register_catch_all(app)
    actions.register_catch_all(app)
