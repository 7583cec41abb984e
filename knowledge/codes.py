"""Parsing and normalising SMTP code strings: a re-export of :mod:`knowledge.smtp.codes`, kept so that
``from knowledge.codes import parse_code`` goes on working.  The definitions live there."""

from __future__ import annotations

from knowledge.smtp.codes import ENHANCED_RE, REPLY_RE, VALID_FORMS, MalformedCode, ParsedCode, parse_code, printable

__all__ = ["MalformedCode", "ParsedCode", "parse_code", "printable", "VALID_FORMS", "REPLY_RE", "ENHANCED_RE"]
