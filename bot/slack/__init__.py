"""The Slack app (slack-bolt): ``/smtp``, mentions, DMs, automatic annotation, App Home.

Start with :func:`bot.slack.app.build_app`; serve it with
:mod:`bot.slack.http_server` (HTTP mode) or :mod:`bot.slack.socket_mode`.
Listeners are in :mod:`bot.slack.listeners` (one package per kind); Slack's
markup is turned into the plain text ``knowledge`` reads by :mod:`bot.slack.markup`.
"""
