"""The Slack app (slack-bolt): ``/smtp``, mentions, DMs, automatic annotation, App Home.

Start with :func:`bot.slack.app.build_app`; serve it with
:mod:`bot.slack.http_server` (HTTP mode) or :mod:`bot.slack.socket_mode`.
"""
