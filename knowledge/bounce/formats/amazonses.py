"""Amazon SES notifications: the JSON of a Bounce / Delivery notification as
the message body (or wrapped in an SNS envelope's ``Message`` string).

Source: https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html;
Sisimai's lhost/amazonses.rb reads the same fields.  The bounceSubType ->
reason table is in knowledge/data/formats/amazonses.toml (``categories``).
Fixture: tests/fixtures/bounces/amazonses/amazonses-json.eml.
"""

from __future__ import annotations

from knowledge.bounce.codes import find_codes, find_command
from knowledge.bounce.formats.base import Context, Reading
from knowledge.bounce.formats.data import category_table
from knowledge.bounce.rows import row, status_ok
from knowledge.reasons import classify, is_hard

__all__ = ["read", "rows_from_json"]


def read(ctx: Context) -> Reading | None:
    """Rows of an SES notification in the notice, or None when there is none."""
    if "notificationType" not in ctx.notice and '"bounceType"' not in ctx.notice:
        return None
    rows = rows_from_json(ctx.notice)
    return None if rows is None else Reading(rows)


def _notification(text: str) -> dict | None:
    import json  # only for SES notifications (json costs ~1 ms to import)

    start = text.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError:
        return None
    if isinstance(obj, dict) and "Message" in obj and isinstance(obj["Message"], str):
        try:
            obj = json.loads(obj["Message"])
        except ValueError:
            return None
    return obj if isinstance(obj, dict) else None


def rows_from_json(text: str) -> list[dict] | None:
    """Rows of the first SES notification JSON object in ``text``: one per bounced
    recipient (Bounce) or delivered recipient (Delivery), [] for a Complaint,
    None when ``text`` holds no SES notification."""
    obj = _notification(text)
    if obj is None:
        return None
    kind = str(obj.get("notificationType") or obj.get("eventType") or "")
    if kind == "Bounce" and isinstance(obj.get("bounce"), dict):
        return _bounce_rows(obj["bounce"])
    if kind == "Delivery" and isinstance(obj.get("delivery"), dict):
        return _delivery_rows(obj["delivery"])
    if kind == "Complaint":
        return []
    return None


def _bounce_rows(bounce: dict) -> list[dict]:
    rows: list[dict] = []
    sub = str(bounce.get("bounceSubType") or "")
    for r in bounce.get("bouncedRecipients") or []:
        if not isinstance(r, dict):
            continue
        diag = str(r.get("diagnosticCode") or "")
        if ";" in diag[:20]:
            diag = diag.split(";", 1)[1].strip()
        rc, enh = find_codes(diag)
        status = status_ok(str(r.get("status") or "")) or enh
        action = str(r.get("action") or "failed")
        reason, hard = classify(rc, status, diag + " " + sub, find_command(diag), action)
        if reason in (None, "undefined"):
            # bounceSubType when the diagnostic says nothing: SES's suppression
            # lists hold addresses that bounced as invalid.
            reason = category_table("amazonses").get(sub, reason or "undefined")
            hard = is_hard(reason, rc, status)
        rows.append(row(recipient=str(r.get("emailAddress") or "") or None, reply_code=rc, enhanced_status=status,
                        reason=reason, hard_bounce=hard, action=action, remote_mta=bounce.get("reportingMTA"),
                        reply_text=diag or None))
    return rows


def _delivery_rows(delivery: dict) -> list[dict]:
    resp = str(delivery.get("smtpResponse") or "")
    rc, enh = find_codes(resp)
    return [row(recipient=str(r), reply_code=rc, enhanced_status=enh, reason="delivered", hard_bounce=False,
                action="delivered", remote_mta=delivery.get("reportingMTA"), reply_text=resp or None)
            for r in delivery.get("recipients") or []]
