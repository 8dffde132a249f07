"""Reading an email for fax (no database): the sender, the documents (inline signature images
are not faxed), the body (plain, else HTML as text) and the recipients' spelling."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from faxline.gateway.intake import MAX_DOCUMENTS, UnreadableMessage, read_email
from faxline.gateway.services import RecipientRefused, _cover, envelope_sender, recipient_number
from gateway.gateway_support import a_pdf, wire

pytestmark = pytest.mark.database_independent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_attachments_are_documents_and_inline_images_are_not() -> None:
    message = EmailMessage()
    message["From"] = "Bill Payer <Bill@Acme.example>"
    message["Subject"] = "  Invoice   42 "
    message.set_content("Please pay.\n\n-- \nBill")
    message.add_alternative("<p>Please pay.</p><img src='cid:logo'>", subtype="html")
    message.get_payload()[1].add_related(PNG, "image", "png", cid="<logo>", filename="logo.png")
    message.add_attachment(a_pdf(), maintype="application", subtype="pdf", filename="inv.pdf")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="scan.png")
    read = read_email(wire(message))
    assert read.from_address == "Bill@Acme.example"
    assert read.subject == "Invoice 42"
    assert read.body == "Please pay.\n\n--\nBill"
    assert [(d.filename, d.content_type) for d in read.documents] == [
        ("inv.pdf", "application/pdf"),
        ("scan.png", "image/png"),
    ]
    assert not read.auto_submitted and not read.no_reply


def test_a_delivery_report_and_list_mail_get_no_automatic_answer() -> None:
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.example"
    report.set_content("Your message could not be delivered.")
    report.make_mixed()
    report.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')
    listed = EmailMessage()
    listed["From"] = "news@list.example"
    listed["Precedence"] = " List "
    listed.set_content("This week")
    for message in (report, listed):
        read = read_email(wire(message))
        assert read.no_reply and not read.auto_submitted  # the fax is still decided as usual
    assert envelope_sender("<>") == "" and envelope_sender(" <Bill@Acme.example> ") == (
        "Bill@Acme.example"
    )


def test_an_html_only_body_is_read_as_text_and_an_auto_reply_is_known() -> None:
    message = EmailMessage()
    message["From"] = "a@b.example"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("<div>Hello<br>there &amp; you</div><script>x()</script>", subtype="html")
    read = read_email(wire(message))
    assert read.body == "Hello\nthere & you"
    assert read.auto_submitted and read.no_reply and read.documents == []


def test_several_from_mailboxes_name_no_sender_and_too_many_attachments_are_refused() -> None:
    message = EmailMessage()
    message["From"] = "a@b.example, c@d.example"
    message.set_content("x")
    assert read_email(wire(message)).from_address == ""
    for n in range(MAX_DOCUMENTS + 1):
        message.add_attachment(b"x", maintype="text", subtype="plain", filename=f"{n}.txt")
    with pytest.raises(UnreadableMessage):
        read_email(wire(message))


@pytest.mark.parametrize(
    ("address", "number"),
    [
        ("6175559876@fax.localhost", "+16175559876"),
        ("16175559876@fax.localhost", "+16175559876"),
        ("+16175559876@Fax.Localhost", "+16175559876"),
        ("617-555-9876@fax.localhost", "+16175559876"),
        ("1.617.555.9876@fax.localhost", "+16175559876"),
        ("+442079460000@fax.localhost", "+442079460000"),
    ],
)
def test_recipient_spellings(settings: object, address: str, number: str) -> None:
    settings.FAXLINE_FAX_DOMAIN = "fax.localhost"  # type: ignore[attr-defined]
    assert recipient_number(address) == number


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("6175559876@example.com", "550 5.7.1"),
        ("6175559876@sub.fax.localhost", "550 5.7.1"),
        ("6175559876", "550 5.7.1"),
        ("fax-me@fax.localhost", "553 5.1.3"),
        ("617+5559876@fax.localhost", "553 5.1.3"),
        ("555@fax.localhost", "553 5.1.3"),
        ("@fax.localhost", "553 5.1.3"),
    ],
)
def test_recipients_refused(settings: object, address: str, code: str) -> None:
    settings.FAXLINE_FAX_DOMAIN = "fax.localhost"  # type: ignore[attr-defined]
    with pytest.raises(RecipientRefused) as refused:
        recipient_number(address)
    assert refused.value.reply.startswith(code)


def test_the_cover_request_per_mode() -> None:
    automatic = _cover("automatic", "Results", "Hi")
    assert (automatic.requested, automatic.subject, automatic.comments) == (None, "Results", "Hi")
    assert automatic.email_body == "Hi"
    asked = _cover("on_demand", "COVER: Results", "Hi")
    assert (asked.requested, asked.subject) == (True, "Results")
    assert _cover("on_demand", "Results", "Hi").requested is False


@pytest.mark.parametrize(
    ("args", "env", "option"),
    [
        (["--port", "0"], {}, "--port"),
        (["--host", "not a host"], {}, "--host"),
        ([], {"FAXLINE_SMTPD_PORT": "smtp"}, "FAXLINE_SMTPD_PORT"),
    ],
)
def test_smtpd_refuses_bad_options_naming_them(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], option: str
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CommandError, match=f"^{option}: "):
        call_command("smtpd", *args)
