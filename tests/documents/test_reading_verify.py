"""The second read of each fact OCR found (documents/reading/verify.py): a value the second
read of its box does not confirm is not reported; how the two reads are compared; the
sandbox job ``read.verify`` refuses what ``read.ocr`` refuses and keeps to its limits; a
scanned corpus document still reads to its truth."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import pytest
from test_reading_ocr import KEY_FACTS, _scan

from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading import verify
from faxline.documents.reading.extract import extract
from faxline.documents.reading.facts import Facts, Found
from reading_corpus import documents

needs_ocr = pytest.mark.skipif(not ocr_module.available(), reason="tesseract is not installed")

ELM = {
    "street": "4410 Elm Street",
    "unit": "Unit 12",
    "city": "Dallas",
    "state": "TX",
    "postal_code": "75201",
}


# --- how the reads are compared --------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "value", "second", "agree"),
    [
        # Telephone numbers: the ten digits, whatever separates them.
        ("btn", "+16175550101", "617-555-0101", True),
        ("numbers", "+16175550101", "(617) 555.0101,", True),
        ("numbers", "+16175550101", "617 555 0101", True),
        ("btn", "+16175550104", "617-555-0101", False),  # the fax's 1 read as 4
        ("numbers", "+16175550101", "617-555-010", False),  # a digit short
        ("numbers", "+16175550101", "", False),
        # Dates: the date they parse to, in whatever format the page prints.
        ("statement_date", "2026-04-25", "Apr 25, 2026", True),
        ("statement_date", "2026-04-25", "04/25/2026", True),
        ("statement_date", "2026-04-25", "Apr 26, 2026", False),
        ("statement_date", "2026-04-25", "Apr 25, 2O26", False),  # not a date
        # Account numbers: their groups as printed, upper or lower case.
        ("account_number", "23-7307411-0", "23-7307411-0", True),
        ("account_number", "A81255957", "a81255957.", True),
        ("account_number", "7263-7235-76", "1263-7235-76", False),
        ("account_number", "A85170530", "85170530", False),  # a letter lost
        ("account_number", "A90281 142", "A90281142", False),  # a space OCR put in
        ("account_number", "A90281142", "A90281 142", False),
        ("account_number", "23-7307411-0", "Acct: 23-7307411-0,", True),
        # Names: the words in lower case, punctuation aside; each word must be the same.
        ("authorized_names", "RAJ PATEL", "RAJ PATEL:", True),
        ("authorized_names", "LI WEI", "Li Wei", True),
        ("authorized_names", "LI WET", "LI WEI", False),
        ("authorized_names", "LI WEI", "LI WEII", False),  # no word may be longer
        ("account_name", "Acme Plumbing LLC", "Account Name: Acme Plumbing LLC", True),
        ("account_name", "Acme Plumbing LLC", "Acme Piumbing LLC", False),
        # Addresses: every part, as words, in the second read of its lines.
        ("service_address", ELM, "4410 Elm Street, Unit 12 Dallas, TX 75201", True),
        ("service_address", {**ELM, "street": "4410 Elim Street"}, "4410 Elm Street", False),
        ("service_address", ELM, "4410 Elm Street, Unit 12 Dallas, TX 75207", False),
        ("service_address", {**ELM, "unit": None}, "4410 Elm Street Dallas TX 75201", True),
        # Line features: the feature named again.
        ("line_features", "remote_call_forwarding", "HUNT GROUP, RCF, CALLER ID", True),
        ("line_features", "hunt_group", "Remote Call Fwd", False),
    ],
)
def test_two_reads_agree_when_they_say_the_same_value(
    fact: str, value: object, second: str, agree: bool
) -> None:
    assert verify.agrees(fact, value, second) is agree


def test_a_box_is_clipped_to_the_page_and_a_line_high() -> None:
    x0, top, x1, bottom = verify._clipped([-50, 10, 1e9, 1e9], 612, 792)
    assert (x0, top) == (0.0, 10 - verify.PAD_POINTS)
    assert x1 == 612 and bottom - top == verify.MAX_BOX_HEIGHT
    with pytest.raises(ValueError):
        verify._clipped([0, 0, math.nan, 10], 612, 792)
    with pytest.raises(ValueError):
        verify._clipped([0, 0, 10], 612, 792)


def test_the_words_of_each_crop_come_back_in_the_order_of_the_crops() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
    tsv = "\n".join(
        [
            f"{header}\tconf\ttext",
            "5\t2\t1\t1\t1\t1\t0\t0\t10\t10\t90\t555-0101",
            "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\tLI",
            "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t90\tWEI",
            "5\t9\t1\t1\t1\t1\t0\t0\t10\t10\t90\tstray",  # no such crop
        ]
    )
    assert verify._lines_by_page(tsv, 3) == ["LI WEI", "555-0101", ""]


# --- the second read on a real page -----------------------------------------------------


def _scanned_pdf() -> bytes:
    out = io.BytesIO()
    _scan().save(out, "PDF", resolution=300)
    return out.getvalue()


@needs_ocr
def test_a_value_the_second_read_does_not_confirm_is_not_reported() -> None:
    # The first read of the scanned bill, as extract() makes it; then the values a misread
    # would give in the same boxes: the second read sees what the page prints instead.
    data = _scanned_pdf()
    result = ocr_module.ocr_document(data, "pdf", [1])
    read = facts_module.find_facts(result.pages, ocr_module.lexicon())
    assert read.account_number is not None and read.account_number.value == "8840-2231-77"
    assert [n.value for n in read.numbers] == ["+12125550143", "+12125550144", "+12125550145"]
    assert read.service_address is not None and len(read.service_address.lines) == 2
    address = dict(read.service_address.value, street="125 West 3lst Street")
    misread = replace(
        read,
        account_number=replace(read.account_number, value="8840-2231-71"),
        service_address=replace(read.service_address, value=address),
        numbers=[read.numbers[0], replace(read.numbers[1], value="+12125550184"), read.numbers[2]],
    )

    checked = verify.verified(data, "pdf", misread, result.skews)
    # The misread values are not reported; the second read and the two extra reads of
    # their boxes (test_reading_recover.py) agree on what the page prints, which is.
    assert checked.account_number is not None
    assert checked.account_number.value == "8840-2231-77"
    assert checked.service_address is not None
    assert checked.service_address.value == read.service_address.value
    # A list keeps the items the second read confirms: each was read in its own box.
    assert [n.value for n in checked.numbers] == ["+12125550143", "+12125550145"]
    assert "numbers" in checked.cut_short  # and says the list may miss an entry
    # The values both reads agree on are all reported.
    assert checked.btn == read.btn and checked.statement_date == read.statement_date
    assert checked.account_name == read.account_name

    right = verify.verified(data, "pdf", read, result.skews)
    assert right.account_number == read.account_number
    assert right.service_address == read.service_address
    assert right.numbers == read.numbers
    assert "numbers" not in right.cut_short


@needs_ocr
def test_values_on_pages_not_read_by_ocr_are_not_read_again() -> None:
    facts = Facts(account_number=Found("8840-2231-71", 1, (200.0, 138.0, 260.0, 148.0)))
    # Page 1 was not read by OCR (a text layer): nothing to check it against, kept.
    assert verify.verified(_scanned_pdf(), "pdf", facts, {2: 0.0}) == facts


@needs_ocr
def test_a_page_whose_check_cannot_run_reports_none_of_its_values() -> None:
    facts = Facts(account_number=Found("8840-2231-77", 1, (200.0, 138.0, 260.0, 148.0)))
    checked = verify.verified(b"%PDF-1.7 not really", "pdf", facts, {1: 0.0})
    assert checked.account_number is None


@needs_ocr
def test_boxes_beyond_the_cap_are_not_confirmed() -> None:
    box = (200.0, 138.0, 260.0, 148.0)
    texts = verify.reread(_scanned_pdf(), "pdf", 1, 0.0, [box] * (verify.MAX_CROPS + 2))
    assert texts[-2:] == [None, None]
    assert all(t is not None for t in texts[: verify.MAX_CROPS])


# --- the sandbox job ------------------------------------------------------------------------


def _job(data: bytes, **params: object) -> list[str]:
    result = sandbox.run_job(
        verify.JOB, data, {"kind": "pdf", "page": 1, "dpi": 300, **params}, field_name="file"
    )
    return list(json.loads(result.payload))


@needs_ocr
def test_the_job_reads_each_box_as_one_line() -> None:
    account, btn = (198.0, 138.0, 262.0, 149.0), (198.0, 154.0, 272.0, 165.0)
    texts = _job(_scanned_pdf(), skew=-1.5, boxes=[list(account), list(btn)])
    assert verify.agrees("account_number", "8840-2231-77", texts[0])
    assert verify.agrees("btn", "+12125550143", texts[1])


@needs_ocr
@pytest.mark.parametrize(
    ("data", "params", "code"),
    [
        (b"not a pdf at all", {}, "document_unreadable"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", {}, "document_unreadable"),
        (b"II*\x00" + b"\x00" * 64, {"kind": "tiff"}, "document_unreadable"),
        (b"whatever", {"kind": "docx"}, "document_type"),
        (None, {"page": 7}, "document_unreadable"),  # a page the document does not have
    ],
)
def test_the_job_refuses_what_read_ocr_refuses(data: bytes | None, params: dict, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _job(data if data is not None else _scanned_pdf(), boxes=[[0, 0, 10, 10]], **params)
    assert caught.value.code == code


@needs_ocr
@pytest.mark.parametrize(
    "params",
    [
        {"boxes": [[0, 0, 10, 10]] * (verify.MAX_CROPS + 1)},
        {"boxes": [[0, 0, "nan", 10]]},
        {"boxes": [[0, 0, 10, 10]], "skew": 45},
        {"boxes": [[0, 0, 10, 10]], "dpi": 10_000},
    ],
)
def test_the_job_stops_at_parameters_out_of_bounds(params: dict) -> None:
    with pytest.raises(sandbox.JobOverrun):
        _job(_scanned_pdf(), **params)


@needs_ocr
def test_the_job_keeps_to_the_ocr_workers_memory_limit(settings: object) -> None:
    # The same limits as read.ocr (the intake's memory): too little memory to decode the
    # page stops the worker, and the facts of the page are then not confirmed.
    settings.FAXLINE_INTAKE_MEMORY_MB = 40  # type: ignore[attr-defined]
    assert ocr_module.ocr_limits().memory_bytes == 40 * 1024 * 1024
    box = (198.0, 138.0, 262.0, 149.0)
    assert verify.reread(_scanned_pdf(), "pdf", 1, -1.5, [box]) == [None]


# --- end to end -------------------------------------------------------------------------


@needs_ocr
def test_a_scanned_corpus_document_still_reads_to_its_truth() -> None:
    document = next(documents(14, ["scanned"], ["label_left"]))
    extraction = extract(document.data, document.filename)
    assert extraction.ocr is True
    assert extraction.as_json()["facts"] == document.truth


@needs_ocr
def test_the_scanned_bill_keeps_its_key_facts() -> None:
    as_json = extract(_scanned_pdf(), "scan.pdf").as_json()
    assert {key: as_json["facts"][key] for key in KEY_FACTS} == KEY_FACTS
    assert as_json["facts"]["numbers"] == ["+12125550143", "+12125550144", "+12125550145"]
