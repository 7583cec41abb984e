"""Storage used by the Slack app: event claims (exactly-once handling) and per-channel settings.

``base`` defines the interface; implementations: ``memory`` (one process) and
``sql`` (SQLAlchemy: SQLite by default, PostgreSQL in production).
Only Slack ids and settings are stored, never message text or addresses.
"""
