"""Reading an email for fax: who sent it, its documents, its body and its subject.

Pure functions of the raw message (the stdlib ``email`` package, ``policy.default``), no
database: the gateway's worker calls them (``gateway/services.py``).

Which parts become documents (decision 0030):

- every part whose Content-Disposition is ``attachment``, in the order of the message, is a
  document, whatever its type (the fax intake then accepts or refuses it as "Invalid
  Attachment");
- an ``inline`` part with a file name is a document too, unless it is an image: inline images
  are the logos and pictures of an email signature or an HTML body, not what the sender
  meant to fax (to fax a picture, attach it). So is an image with a Content-ID inside a
  ``multipart/related`` (what an HTML body shows), whatever its disposition says;
- the body is the first ``text/plain`` part that is not an attachment (or, without one, the
  text of the first ``text/html`` part, tags removed). It becomes the cover page's comments.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

# What one message may hold: a bound on the work the parser is asked to do.
MAX_PARTS = 100
MAX_DOCUMENTS = 20
MAX_BODY_CHARS = 2000
MAX_SUBJECT_CHARS = 200
_TAGS = re.compile(r"<[^>]*>")
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class UnreadableMessage(Exception):
    """The message cannot be read as an email (too many parts, no structure)."""


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ReadEmail:
    """What the gateway takes from an email."""

    from_address: str
    subject: str
    body: str
    auto_submitted: bool
    documents: list[Document] = field(default_factory=list)
    # Mail that no automatic answer should go to (RFC 3834 section 2): besides
    # Auto-Submitted, list and bulk mail, vacation replies and delivery reports. Only the
    # refusal notice is withheld for it; the fax itself is decided as for any email.
    no_reply: bool = False


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def header_message_id(raw: bytes) -> str:
    """The Message-ID of a raw message (headers only are parsed), or ""."""
    headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    try:
        value = headers.get("Message-ID")
    except Exception:  # a header the parser cannot make sense of
        return ""
    return " ".join(str(value or "").split())[:255]


def from_address(message: Message) -> str:
    """The single mailbox of the From header ("" when there is none or several)."""
    try:
        values = message.get_all("From") or []
    except Exception:
        return ""
    found = getaddresses([str(v) for v in values])
    mailboxes = [addr for _name, addr in found if addr and "@" in addr]
    return mailboxes[0].strip() if len(mailboxes) == 1 else ""


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # an unknown charset or broken encoding: the raw text, best effort
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _html_text(markup: str) -> str:
    text = _SCRIPTS.sub(" ", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    return html.unescape(_TAGS.sub("", text))


def _clean_body(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    body = "\n".join(lines).strip()
    return body[:MAX_BODY_CHARS]


def read_email(raw: bytes) -> ReadEmail:
    """The sender's address (From), subject, body text and documents of ``raw``."""
    message = parse(raw)
    parts = list(message.walk())
    if len(parts) > MAX_PARTS:
        raise UnreadableMessage(f"The email has more than {MAX_PARTS} parts.")
    shown_by_html = {
        id(child)
        for part in parts
        if part.get_content_type() == "multipart/related"
        for child in part.get_payload()  # type: ignore[union-attr]
        if isinstance(child, Message) and child.get("Content-ID")
    }
    documents: list[Document] = []
    plain: str | None = None
    markup: str | None = None
    for part in parts:
        if part.is_multipart():
            continue
        if id(part) in shown_by_html and part.get_content_maintype() == "image":
            continue  # a picture of the HTML body (a signature's logo)
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename() or ""
        ctype = part.get_content_type()
        is_document = disposition == "attachment" or (
            disposition == "inline" and bool(filename) and part.get_content_maintype() != "image"
        )
        if is_document:
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                documents.append(Document(filename or "attachment", ctype, data))
            continue
        if disposition == "inline" and part.get_content_maintype() == "image":
            continue  # a signature's logo
        if ctype == "text/plain" and plain is None:
            plain = _text_of(part)
        elif ctype == "text/html" and markup is None:
            markup = _text_of(part)
    if len(documents) > MAX_DOCUMENTS:
        raise UnreadableMessage(f"The email has more than {MAX_DOCUMENTS} attachments.")
    body = plain if plain is not None else (_html_text(markup) if markup else "")
    try:
        subject = " ".join(str(message.get("Subject") or "").split())[:MAX_SUBJECT_CHARS]
    except Exception:
        subject = ""
    auto = _header(message, "Auto-Submitted") or "no"
    auto_submitted = auto not in {"", "no"}
    return ReadEmail(
        from_address=from_address(message),
        subject=subject,
        body=_clean_body(body),
        auto_submitted=auto_submitted,
        documents=documents,
        no_reply=auto_submitted or _automatic(message),
    )


def _header(message: Message, name: str) -> str:
    try:
        return str(message.get(name) or "").strip().lower()
    except Exception:  # a header the parser could not make sense of
        return ""


NO_REPLY_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe")


def _automatic(message: Message) -> bool:
    """List or bulk mail, a vacation reply or a delivery report (not Auto-Submitted)."""
    if _header(message, "Precedence") in NO_REPLY_PRECEDENCE:
        return True
    if any(_header(message, name) for name in AUTO_REPLY_HEADERS):
        return True
    return message.get_content_type() == "multipart/report"
