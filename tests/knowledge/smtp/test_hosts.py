"""knowledge.smtp.hosts: host names, IP literals and the remote host of a reply."""

import re

import pytest

from knowledge.smtp import hosts as h
from knowledge.smtp.hosts import find_remote_host


def test_hostname_and_ip_pieces():
    assert re.fullmatch(h.HOSTNAME, "mx1.example.net")
    assert not re.fullmatch(h.HOSTNAME, "localhost")
    assert not re.fullmatch(h.HOSTNAME, "-bad.example.net")
    assert re.fullmatch(h.IPV4, "192.0.2.1")
    assert re.fullmatch(h.IP_LITERAL_BODY, "2001:db8::1")


@pytest.mark.parametrize("pat,text,host", [
    (h.HOST_SAID_RE, "host mx.example.net[192.0.2.1] said: 550 5.1.1", "mx.example.net"),
    (h.HOST_SAID_RE, "host mail.example.org refused to talk to me: 554", "mail.example.org"),
    (h.RELAY_FIELD_RE, "relay=mx.example.net[192.0.2.1]:25, delay=1", "mx.example.net"),
    (h.REMOTE_MTA_RE, "Remote-MTA: dns; mx.example.net", "mx.example.net"),
    (h.WHILE_TALKING_RE, "... while talking to mx.example.net.:", "mx.example.net"),
    (h.ANGLE_HOST_RE, "<mx.example.net #5.1.1 smtp;550 unknown>", "mx.example.net"),
    (h.EXIM_HOST_RE, "R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.1]", "mx.example.net"),
])
def test_remote_host_patterns(pat, text, host):
    assert pat.search(text).group(1) == host


def test_relay_none_is_no_host():
    assert h.RELAY_FIELD_RE.search("relay=none, delay=0") is None
    assert len(h.REMOTE_HOST_PATTERNS) == 6


@pytest.mark.parametrize("text,host", [
    ("host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown", "mx.example.net"),
    ("host mx.example.net[192.0.2.1]\n    said: 550 5.1.1 unknown", "mx.example.net"),
    ("Remote server 192.0.2.7 returned 550", "192.0.2.7"),
    ("192.0.2.1 does not like recipient.", "192.0.2.1"),
    ("connect to mx.example.net[192.0.2.9]:25: Connection timed out", "mx.example.net"),
    ("Deferred: Connection timed out with mx.example.net.", "mx.example.net"),
    ("no host named here", None),
    ("", None),
])
def test_find_remote_host(text, host):
    assert find_remote_host(text) == host
