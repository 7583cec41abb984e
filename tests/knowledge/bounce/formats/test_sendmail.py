from knowledge.bounce.formats import sendmail
from tests.knowledge.bounce.formats import context, shared


def test_transcript_is_split_at_the_summary_lines():
    ctx = context(shared("lhost-v5sendmail-02.eml"))
    assert sendmail.recipient_blocks(ctx.notice_cut.split("\n")) == {
        "kijitora@neko.example.org": "550 neko.example.org (smtp)... 550 Host unknown\n"
                                     "554 <kijitora@neko.example.org>... 550 Host unknown "
                                     "(Authoritative answer from name server)"}


def test_a_new_session_starts_a_new_block():
    lines = ["----- Transcript of session follows -----", "... while talking to mx.example.com.:",
             ">>> RCPT To:<a@example.com>", "<<< 550 no", "550 <a@example.com>... User unknown",
             "... while talking to mx.example.org.:", ">>> RCPT To:<b@example.org>", "<<< 452 full",
             "452 <b@example.org>... Mailbox full"]
    assert sendmail.recipient_blocks(lines) == {
        "a@example.com": "\n".join(lines[1:5]), "b@example.org": "\n".join(lines[5:])}
