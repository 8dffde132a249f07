"""Reading bills and CSRs (issue 14, born-digital PDFs): every fact of four layouts made the
way word processors and CSR dumps make them, read through the sandbox, and the refusals."""

from __future__ import annotations

import io
from typing import Any

import pytest
from reading_documents import METRO_BILL, helv, make_pdf, mono
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading import words as words_module
from faxline.documents.reading.extract import Extraction, extract
from hostile_documents import absurd_startxref_pdf, raw_pdf

# Labels left, values right; the address and the numbers continue on the lines below.
LEFT_RIGHT = METRO_BILL

# Labels above values, in a row; the name and the address as blocks under their label.
ABOVE = [
    helv(60, 50, "NORTHERN BELL", 16, bold=True),
    helv(60, 100, "Bill Date", 9, bold=True),
    helv(220, 100, "Acct No.", 9, bold=True),
    helv(380, 100, "BTN", 9, bold=True),
    helv(60, 114, "03/01/2026", 11),
    helv(220, 114, "40-1234567-8", 11),
    helv(380, 114, "732 920 0193", 11),
    helv(60, 150, "Customer Name", 9, bold=True),
    helv(60, 164, "Harbor Dental Group", 11),
    helv(60, 200, "Service Location", 9, bold=True),
    helv(60, 214, "77 Ocean Ave", 11),
    helv(60, 228, "Apt 2B", 11),
    helv(60, 242, "Long Branch, NJ 07740", 11),
    helv(60, 300, "Total Amount Due", 11, bold=True),
    helv(380, 300, "$88.00", 11),
]

# An upper-case CSR dump in a fixed-width font.
CSR_DUMP = [
    mono(40, "CUSTOMER SERVICE RECORD                           PAGE 1"),
    mono(64, "ACCT NO: 201-555-0123-456     BTN: 201 555 0123"),
    mono(76, "NAME: RIVERSIDE BAKERY INC"),
    mono(88, "SVC ADDR: 400 RIVER RD STE 12, EDGEWATER NJ 07020"),
    mono(100, "BILL DATE: 15-FEB-2026"),
    mono(124, "TN: 201 555 0123   201 555 0124"),
    mono(136, "TN: 201-555-0125"),
    mono(148, "AUTH NAMES: MARIA LOPEZ, JAMES CHEN"),
    mono(160, "FEATURES: CALL WAITING, HUNT GROUP, DSL, RCF"),
]

# Two columns side by side: the left one's labels above their values, the right one's
# labels left of theirs, and an address block.
TWO_COLUMNS = [
    helv(50, 50, "Summit Communications", 16, bold=True),
    helv(330, 50, "INVOICE", 16, bold=True),
    helv(50, 100, "Bill To:", bold=True),
    helv(330, 100, "Invoice Date: Jan. 15, 2026"),
    helv(50, 114, "Summit Legal Partners"),
    helv(330, 114, "Main Number: +1 (646) 555-0188"),
    helv(50, 128, "Attn: Accounts Payable"),
    helv(330, 128, "Service Address:", bold=True),
    helv(50, 142, "Account #: 5512 8890 1234"),
    helv(330, 142, "9 Elm Street"),
    helv(50, 156, "Lines: 646-555-0188, 646-555-0189"),
    helv(330, 156, "Floor 3"),
    helv(330, 170, "Brooklyn, NY 11201-1234"),
    helv(50, 220, "Balance Due: $310.20"),
]


def expected(document_type: str, **facts: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "account_name": None,
        "service_address": None,
        "btn": None,
        "account_number": None,
        "statement_date": None,
        "numbers": [],
        "authorized_names": [],
        "line_features": [],
    }
    return {"document_type": document_type, "facts": empty | facts, "pages": 1, "ocr": False}


LAYOUTS = {
    "labels_left": (
        LEFT_RIGHT,
        expected(
            "bill",
            account_name="Acme Plumbing LLC",
            service_address={
                "street": "125 West 31st Street",
                "unit": "Suite 400",
                "city": "New York",
                "state": "NY",
                "postal_code": "10001",
            },
            btn="+12125550143",
            account_number="8840-2231-77",
            statement_date="2026-03-01",
            numbers=["+12125550143", "+12125550144", "+12125550145"],
        ),
    ),
    "labels_above": (
        ABOVE,
        expected(
            "bill",
            account_name="Harbor Dental Group",
            service_address={
                "street": "77 Ocean Ave",
                "unit": "Apt 2B",
                "city": "Long Branch",
                "state": "NJ",
                "postal_code": "07740",
            },
            btn="+17329200193",
            account_number="40-1234567-8",
            statement_date="2026-03-01",
            numbers=["+17329200193"],
        ),
    ),
    "csr_dump": (
        CSR_DUMP,
        expected(
            "csr",
            account_name="RIVERSIDE BAKERY INC",
            service_address={
                "street": "400 RIVER RD",
                "unit": "STE 12",
                "city": "EDGEWATER",
                "state": "NJ",
                "postal_code": "07020",
            },
            btn="+12015550123",
            account_number="201-555-0123-456",
            statement_date="2026-02-15",
            numbers=["+12015550123", "+12015550124", "+12015550125"],
            authorized_names=["MARIA LOPEZ", "JAMES CHEN"],
            line_features=["hunt_group", "dsl", "remote_call_forwarding"],
        ),
    ),
    "two_columns": (
        TWO_COLUMNS,
        expected(
            "bill",
            account_name="Summit Legal Partners",
            service_address={
                "street": "9 Elm Street",
                "unit": "Floor 3",
                "city": "Brooklyn",
                "state": "NY",
                "postal_code": "11201-1234",
            },
            btn="+16465550188",
            account_number="5512 8890 1234",
            statement_date="2026-01-15",
            numbers=["+16465550188", "+16465550189"],
        ),
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_fact_of_each_layout(layout: str) -> None:
    rows, wanted = LAYOUTS[layout]
    extraction = extract(make_pdf(rows), "bill.pdf")
    assert extraction.as_json() == wanted
    assert extraction.needs_ocr is False


def test_each_fact_says_where_it_was_read() -> None:
    extraction = extract(make_pdf(LEFT_RIGHT))
    sources = extraction.sources()
    assert sources["statement_date"]["page"] == 1
    x0, top, x1, bottom = sources["statement_date"]["box"]
    # "March 1, 2026" drawn at x 200, baseline 208 points from the top, 10 points high.
    assert 199 <= x0 <= 201 and 196 <= top <= 201 and 205 <= bottom <= 212 and x1 > 250
    address_box = sources["service_address"]["box"]
    assert address_box[1] < 180 < 190 < address_box[3]  # both lines of the address
    assert [s["page"] for s in sources["numbers"]] == [1, 1, 1]
    assert sources["authorized_names"] == []


def test_facts_on_a_later_page_name_their_page() -> None:
    cover = [helv(72, 72, "Your statement is enclosed.")]
    extraction = extract(make_pdf(cover, LEFT_RIGHT))
    assert extraction.pages == 2
    assert extraction.as_json()["facts"]["account_number"] == "8840-2231-77"
    assert extraction.sources()["account_number"]["page"] == 2


def test_a_pdf_without_a_text_layer_needs_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where tesseract is not installed (test_reading_ocr.py reads such pages with it).
    monkeypatch.setattr(ocr_module, "available", lambda: False)
    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=letter)
    doc.rect(72, 72, 300, 400, fill=1)
    doc.drawString(72, 40, "1")  # a stray page number is no text layer
    doc.showPage()
    doc.save()
    extraction = extract(out.getvalue(), "scan.pdf")
    assert extraction.needs_ocr is True
    assert extraction.as_json() == expected("bill") | {"document_type": None}


def test_a_document_of_another_kind_reads_as_other() -> None:
    letter_rows = [helv(72, 72, "Dear neighbour, the street party is on Saturday at noon.")]
    assert extract(make_pdf(letter_rows)).as_json() == expected("other")


def test_prose_that_mentions_a_label_is_not_a_fact() -> None:
    rows = [
        helv(72, 72, "Monthly Statement"),
        helv(72, 90, "Please remit your bill to the address below by the due date."),
        helv(72, 108, "Your account number is printed on the back of the card."),
    ]
    facts = extract(make_pdf(rows)).as_json()["facts"]
    assert facts["account_name"] is None and facts["account_number"] is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "document_empty"),
        (b"GIF89a not a pdf at all", "document_type"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "document_unreadable"),
        (raw_pdf(b"<</Type /Catalog>>"), "document_unreadable"),
    ],
    ids=["empty", "not_pdf", "garbage", "no_page_tree"],
)
def test_unreadable_input_is_refused_cleanly(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        extract(data, "upload.pdf")
    assert caught.value.code == code
    assert caught.value.field == "file"


def test_an_encrypted_pdf_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        extract(make_pdf(LEFT_RIGHT, encrypt="secret"))
    assert caught.value.code == "document_encrypted"


def test_a_malformed_pdf_is_read_or_refused_never_a_crash() -> None:
    try:
        extraction = extract(absurd_startxref_pdf())
    except ValidationFailed as exc:
        assert exc.code == "document_unreadable"
    else:
        assert isinstance(extraction, Extraction)


def test_too_many_pages_are_refused_before_reading() -> None:
    with pytest.raises(ValidationFailed) as caught:
        words_module.read_words(make_pdf(*[[helv(72, 72, "page")]] * 3), max_pages=2)
    assert caught.value.code == "document_too_large"


def test_a_worker_that_overruns_its_limits_is_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def overrun(*_args: Any, **_kwargs: Any) -> Any:
        raise sandbox.JobOverrun("cpu", sandbox.JobCost(10.0, 0, 10.0))

    monkeypatch.setattr(sandbox, "run_job", overrun)
    with pytest.raises(ValidationFailed) as caught:
        extract(make_pdf(LEFT_RIGHT))
    assert caught.value.code == "document_unreadable"


def test_characters_per_page_are_bounded() -> None:
    rows = [helv(40, 20 + 12 * i, "word " * 30) for i in range(60)]
    meta, payload = words_module.words_job(make_pdf(rows), {"max_chars_per_page": 500})
    (page,) = words_module.pages_from_plain(__import__("json").loads(payload))
    assert meta == {"pages": 1}
    assert page.truncated is True
    assert sum(len(w.text) for w in page.words) <= 500
