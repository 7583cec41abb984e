"""Unit tests of the Slack app's pieces: settings, masking, Slack markup, limits, log redaction."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from slack_sdk.models.blocks import DividerBlock

from bot.config import ConfigError, Settings, load_settings
from bot.slack.answers import is_code_question
from bot.slack.blocks import MAX_SECTION, Message, Renderer, help_message, split_blocks, trim
from bot.observability import RedactingFilter, redact
from bot.slack.masking import mask_address, mask_text
from bot.slack.text import mentions_user, unslack
from tests.bot.slack.checks import assert_valid_message

SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT",
             "LOG_LEVEL", "LOG_FORMAT", "MASK_ADDRESSES", "DATABASE_URL", "ADMIN_ONLY_SETTINGS",
             "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in SLACK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


# -- settings -----------------------------------------------------------------------------

def test_settings_defaults(clean_env):
    s = load_settings()
    assert (s.slack_api_url, s.port, s.log_level, s.log_format, s.mask_addresses) == \
        ("https://slack.com/api/", 3000, "INFO", "text", True)
    assert (s.database_url, s.admin_only_settings, s.oauth_enabled) == ("sqlite:///./smtpbot.sqlite3", False, False)


def test_settings_read_dotenv_and_env_wins(clean_env, tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=8080\nMASK_ADDRESSES=false\n")
    clean_env.setenv("PORT", "9090")
    s = load_settings()
    assert s.slack_bot_token.get_secret_value() == "xoxb-from-dotenv"
    assert s.port == 9090 and s.mask_addresses is False


@pytest.mark.parametrize("name,value,expected", [
    ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN: must start with xoxb- (a bot token)"),
    ("SLACK_APP_TOKEN", "xoxb-1", "SLACK_APP_TOKEN: must start with xapp-"),
    ("PORT", "70000", "PORT: "),
    ("PORT", "http", "PORT: "),
    ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http:// or https:// URL"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL: "),
    ("LOG_FORMAT", "xml", "LOG_FORMAT: "),
    ("MASK_ADDRESSES", "maybe", "MASK_ADDRESSES: "),
    ("DATABASE_URL", "smtpbot.db", "DATABASE_URL: must be a SQLAlchemy URL"),
    ("DATABASE_URL", "mysql://u:secretpw@db.example.net/bot",
     "DATABASE_URL: unsupported scheme 'mysql' (supported: sqlite:///path, postgresql://... or postgresql+psycopg://...)"),
    ("DATABASE_URL", "postgresql+asyncpg://u:secretpw@h/db", "DATABASE_URL: unsupported scheme 'postgresql+asyncpg'"),
    ("DATABASE_URL", "<script>://x", "DATABASE_URL: unsupported scheme '?'"),
])
def test_malformed_setting_is_one_line_naming_it(clean_env, name, value, expected):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert value not in message or name in ("PORT",)  # token values are never echoed


def test_required_settings_depend_on_mode(clean_env):
    s = load_settings()
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN: required"):
        s.require(http=True)
    s = load_settings(slack_bot_token="xoxb-1")
    with pytest.raises(ConfigError, match=r"^SLACK_SIGNING_SECRET: required in HTTP mode"):
        s.require(http=True)
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN: required in Socket Mode"):
        s.require(http=False)
    load_settings(slack_bot_token="xoxb-1", slack_signing_secret="x").require(http=True)
    load_settings(slack_client_id="1.2", slack_client_secret="x", slack_signing_secret="x").require(http=True)
    assert load_settings(slack_app_token="xapp-1").socket_mode is True


def test_serve_with_bad_setting_exits_2_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxp-not-a-bot-token-123", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['serve']))"],
        capture_output=True, text=True, env={**env, "PYTHONPATH": _repo()}, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == ["smtpbot serve: configuration error: SLACK_BOT_TOKEN: must start with xoxb- (a bot token)"]
    assert "xoxp-not-a-bot-token" not in proc.stderr


def _repo() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[3])


# -- masking and Slack markup ----------------------------------------------------------------

@pytest.mark.parametrize("address,masked", [
    ("john.doe@example.com", "j***@example.com"),
    ("a@example.net", "a***@example.net"),
    ("postmaster@[192.0.2.1]", "p***@[192.0.2.1]"),
    ("not-an-address", "not-an-address"),
])
def test_mask_address(address, masked):
    assert mask_address(address) == masked


def test_mask_text_masks_every_address_and_keeps_the_rest():
    text = "550 5.1.1 <john.doe@example.com>: unknown; also Jane.Roe+tag@mail.example.org, host mx.example.net"
    assert mask_text(text) == ("550 5.1.1 <j***@example.com>: unknown; also J***@mail.example.org, "
                               "host mx.example.net")


@pytest.mark.parametrize("text, masked", [
    # internationalized addresses (RFC 6531 / RFC 6532) are customers' addresses too
    ("550 5.1.1 <müller@example.com>: unknown", "550 5.1.1 <m***@example.com>: unknown"),
    ("Empfänger jöhn.döe@exämple.de unbekannt", "Empfänger j***@exämple.de unbekannt"),
    ("недоставлено: иван@пример.рф", "недоставлено: и***@пример.рф"),
    ("用户@example.cn 不存在", "用***@example.cn 不存在"),
])
def test_mask_text_masks_internationalized_addresses(text, masked):
    assert mask_text(text) == masked


def test_unslack_restores_the_pasted_text():
    raw = ("<@UBOT0001> &lt;<mailto:john@example.com|john@example.com>&gt;: 550 5.1.1 see "
           "<https://support.example.com/x|docs> in <#C0001|ops> cc <@U0002> &amp; <!here>")
    assert unslack(raw, drop_user="UBOT0001") == \
        "<john@example.com>: 550 5.1.1 see docs in #ops cc @U0002 & @here"
    assert mentions_user(raw, "UBOT0001") and not mentions_user(raw, "U9999999")


# -- code question vs paste -------------------------------------------------------------------

@pytest.mark.parametrize("text,codes,word,expected", [
    ("what's 421 vs 450?", ["421", "450"], None, True),
    ("550 5.7.26", ["550 5.7.26"], None, True),
    ("gmail 5.7.26", ["5.7.26"], "gmail", True),
    ("what is the difference between 252 and 502", ["252", "502"], None, True),
    ("550 5.1.1 <a@example.com>: Recipient address rejected", ["550 5.1.1"], None, False),
    ("host mx.example.net said: 421 4.7.0 Try again later, closing connection", ["421 4.7.0"], None, False),
    ("hello there", [], None, False),
])
def test_is_code_question(text, codes, word, expected):
    assert is_code_question(text, codes, word) is expected


# -- Block Kit limits --------------------------------------------------------------------------

def test_trim_and_section_limits():
    assert trim("abcdef", 4) == "abc…" and trim("abc", 4) == "abc"
    block = Renderer.section("x" * 10_000, ["y" * 5000] * 12)
    d = block.to_dict()
    assert len(d["text"]["text"]) == MAX_SECTION
    assert len(d["fields"]) == 10 and all(len(f["text"]) == 2000 for f in d["fields"])


def test_split_blocks_respects_block_count_and_total_text():
    blocks = [Renderer.section("z" * 2500) for _ in range(30)] + [DividerBlock()] + \
             [Renderer.section("w") for _ in range(60)]
    chunks = split_blocks(blocks)
    assert all(len(c) <= 50 for c in chunks)
    assert all(sum(len(b.text.text) for b in c if getattr(b, "text", None)) <= 12000 for c in chunks)
    # 2,500-char sections: 4 per message (a 5th would pass 12,000), then the small ones
    assert [len(c) for c in chunks] == [4, 4, 4, 4, 4, 4, 4, 50, 13]
    assert not any(isinstance(c[0], DividerBlock) for c in chunks)
    for c in chunks:
        assert_valid_message(Message(c, "t").payload())


def test_help_lists_registered_subcommands():
    msg = help_message([("/smtp auto on|off|status", "automatic annotation here")])
    payload = msg.payload()
    assert_valid_message(payload)
    assert "`/smtp auto on|off|status` — automatic annotation here" in payload["blocks"][1]["text"]["text"]


# -- logs never carry tokens ---------------------------------------------------------------------

def test_redact_tokens():
    assert redact("token=xoxb-1234-5678-abcdEFGH and xapp-1-A0-123-abc, xoxp-9-9") == \
        "token=[redacted] and [redacted], [redacted]"


def test_log_filter_redacts_messages_args_and_exceptions(caplog):
    logger = logging.getLogger("test.redact")
    handler_filter = RedactingFilter()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    h = Keep()
    h.addFilter(handler_filter)
    logger.addHandler(h)
    try:
        logger.warning("calling with %s", "xoxb-123-secret")
        try:
            raise ValueError("bad token xoxb-999-secret")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(h)
    joined = "\n".join(records)
    assert "calling with [redacted]" in joined
    assert "secret" not in joined


# -- effective channel settings ------------------------------------------------------------------

def test_effective_channel_settings(clean_env):
    from bot.slack.deps import BotDeps, Effective
    from bot.storage.base import ChannelSettings
    from bot.storage.memory import MemoryStore

    store = MemoryStore()
    deps = BotDeps(settings=Settings(_env_file=None, mask_addresses=False), store=store, engine=None)
    assert deps.channel("T1", "C1") == Effective(auto_annotate=True, mask_addresses=False)
    store.set_channel_settings("T1", "C1", ChannelSettings(auto_annotate=False, mask_addresses=True))
    assert deps.channel("T1", "C1") == Effective(auto_annotate=False, mask_addresses=True)
    assert deps.channel("T2", "C1") == Effective(auto_annotate=True, mask_addresses=False)
    store.set_channel_settings("T1", "D1", ChannelSettings(mask_addresses=True))
    assert deps.channel("T1", "D1").mask_addresses is False  # a DM is seen by the asker only

    class Down(MemoryStore):
        def get_channel_settings(self, team_id, channel_id):
            raise ConnectionError("database down")

        def claim(self, key):
            raise ConnectionError("database down")

    down = BotDeps(settings=Settings(_env_file=None), store=Down(), engine=None)
    assert down.channel("T1", "C1") == Effective(auto_annotate=True, mask_addresses=True)
    assert down.claim("event:Ev1") is True


def test_claim_refuses_when_any_key_was_seen():
    from bot.slack.deps import BotDeps
    from bot.storage.memory import MemoryStore

    deps = BotDeps(settings=Settings(_env_file=None), store=MemoryStore(), engine=None)
    assert deps.claim("event:Ev1", "msg:C1:1.1") is True
    assert deps.claim("event:Ev2", "msg:C1:1.1") is False  # same message, other event (mention + message)
    assert deps.claim("event:Ev1", "msg:C1:1.2") is False  # retry of the same event
    assert deps.claim("event:Ev3", "msg:C1:1.3") is True


# -- request signature (bot.slack.verify) ---------------------------------------------------

@pytest.mark.parametrize(("timestamp", "signature", "reason"), [
    (None, "v0=aa", "missing timestamp"),
    ("", "v0=aa", "missing timestamp"),
    ("abc", "v0=aa", "malformed timestamp"),
    ("-1700000000", "v0=aa", "malformed timestamp"),
    ("1.7e9", "v0=aa", "malformed timestamp"),
    ("٣٣٣", "v0=aa", "malformed timestamp"),
    ("9" * 13, "v0=aa", "malformed timestamp"),
    ("1699999600", "GOOD", "stale timestamp"),
    ("1700000400", "GOOD", "stale timestamp"),
    ("1700000000", None, "missing signature"),
    ("1700000000", "v0=aa", "bad signature"),
    ("1700000000", "v0=" + "é" * 64, "bad signature"),
    ("1700000000", "GOOD", None),
    ("1700000290", "GOOD", None),
])
def test_check_signature_reasons(timestamp, signature, reason):
    import hashlib
    import hmac

    from bot.slack.verify import check_signature

    body = b"command=%2Fsmtp&text=550"
    if signature == "GOOD":
        signature = "v0=" + hmac.new(b"secret", f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    assert check_signature("secret", body, timestamp, signature, now=1_700_000_000) == reason
    assert check_signature("", body, timestamp, signature, now=1_700_000_000) == "no signing secret"
