"""Values refused only for doubt, read twice more (documents/reading/verify.py): a value is
recovered when both extra reads of its box parse to it (and agree with the first read's
value where there was one); not when they disagree; at most MAX_DOUBTED values a page."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from test_reading_ocr import _scan

from faxline.documents import sandbox
from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading import verify
from faxline.documents.reading.facts import Doubt, Facts, Found

needs_ocr = pytest.mark.skipif(not ocr_module.available(), reason="tesseract is not installed")

#: Where the scanned bill prints its account number and its BTN (points, page 1).
ACCOUNT = (198.0, 138.0, 262.0, 149.0)
BTN = (198.0, 154.0, 272.0, 165.0)


def _scanned_pdf() -> bytes:
    out = io.BytesIO()
    _scan().save(out, "PDF", resolution=300)
    return out.getvalue()


def _doubtful(fact: str, value: object = None, second: list[str] | None = None) -> verify._Doubtful:
    found = Found(value, 1, ACCOUNT)
    return verify._Doubtful(fact, 1, (ACCOUNT,), found, value, second)


# --- the rule ------------------------------------------------------------------------------


def test_two_extra_reads_that_agree_recover_a_value_no_first_read_parsed() -> None:
    doubt = _doubtful("account_number")
    assert verify._agreed(doubt, [["8840-2231-77"], ["8840-2231-77."]]) == "8840-2231-77"


@pytest.mark.parametrize(
    ("value", "second", "texts"),
    [
        (None, None, [["8840-2231-77"], ["8840-2231-71"]]),  # the extra reads disagree
        (None, None, [["8840-2231-77"], None]),  # one extra read could not run
        (None, None, [["Summit Lega! Partners"], ["Summit Lega! Partners"]]),  # no parse
        # The first read's value against both extra reads, the second read not with them.
        ("8840-2231-71", ["8840-2231-74"], [["8840-2231-77"], ["8840-2231-77"]]),
        ("8840-2231-71", None, [["8840-2231-77"], ["8840-2231-77"]]),
    ],
)
def test_no_value_is_recovered_unless_most_reads_agree(
    value: object, second: list[str] | None, texts: list[list[str] | None]
) -> None:
    fact = "account_name" if "Lega!" in str(texts[0]) else "account_number"
    assert verify._agreed(_doubtful(fact, value, second), texts) is None


def test_three_reads_of_four_agreeing_recover_a_value() -> None:
    # The first read "0104", the second read and both extra reads "0101".
    doubt = verify._Doubtful(
        "btn", 1, (BTN,), Found("+16175550104", 1, BTN), second=["617-555-0101"]
    )
    assert verify._agreed(doubt, [["617-555-0101"], ["(617) 555-0101"]]) == "+16175550101"
    # The first read confirmed by both extra reads (the second read saw something else).
    same = verify._Doubtful("btn", 1, (BTN,), Found("+16175550101", 1, BTN), second=["617"])
    assert verify._agreed(same, [["617-555-0101"], ["617 555 0101"]]) == "+16175550101"


def test_a_doubted_value_is_not_reported_as_a_fact() -> None:
    facts = Facts(doubted=[Doubt("btn", 1, BTN, (), "+12125550143")])
    assert facts.btn is None and facts.numbers == []


# --- on a real page -----------------------------------------------------------------------


@needs_ocr
def test_a_doubted_value_is_recovered_when_two_extra_reads_agree() -> None:
    data = _scanned_pdf()
    skews = ocr_module.ocr_document(data, "pdf", [1]).skews
    facts = Facts(doubted=[Doubt("account_number", 1, ACCOUNT), Doubt("btn", 1, BTN)])
    checked = verify.verified(data, "pdf", facts, skews)
    assert checked.account_number is not None
    assert checked.account_number.value == "8840-2231-77"
    assert checked.btn is not None and checked.btn.value == "+12125550143"
    assert [n.value for n in checked.numbers] == ["+12125550143"]  # the BTN heads them
    assert checked.doubted == []


@needs_ocr
def test_a_doubt_whose_extra_reads_disagree_with_the_first_read_stays_null() -> None:
    data = _scanned_pdf()
    skews = ocr_module.ocr_document(data, "pdf", [1]).skews
    # The first read parsed another number than the box prints; no second read of it.
    facts = Facts(doubted=[Doubt("account_number", 1, ACCOUNT, (), "8840-2231-71")])
    assert verify.verified(data, "pdf", facts, skews).account_number is None


@needs_ocr
def test_at_most_max_doubted_values_a_page_are_read_again() -> None:
    data = _scanned_pdf()
    skews = ocr_module.ocr_document(data, "pdf", [1]).skews
    ahead = [Doubt("statement_date", 1, ACCOUNT)] * verify.MAX_DOUBTED
    late = Facts(doubted=[*ahead, Doubt("btn", 1, BTN)])
    assert verify.verified(data, "pdf", late, skews).btn is None
    first = Facts(doubted=[Doubt("btn", 1, BTN), *ahead])
    assert verify.verified(data, "pdf", first, skews).btn is not None


@needs_ocr
def test_the_first_read_hands_back_a_value_it_doubted() -> None:
    # The scanned bill with every word of its account number made unsure.
    data = _scanned_pdf()
    result = ocr_module.ocr_document(data, "pdf", [1])
    page = result.pages[0]
    words = tuple(
        replace(w, confidence=10.0) if w.text.startswith("8840") else w for w in page.words
    )
    read = facts_module.find_facts([replace(page, words=words)])
    assert read.account_number is None
    (doubt,) = [d for d in read.doubted if d.fact == "account_number"]
    assert doubt.value == "8840-2231-77" and doubt.page == 1
    checked = verify.verified(data, "pdf", read, result.skews)
    assert checked.account_number is not None
    assert checked.account_number.value == "8840-2231-77"


# --- the sandbox job ------------------------------------------------------------------------


@needs_ocr
def test_the_job_reads_each_box_once_a_preparation() -> None:
    result = sandbox.run_job(
        verify.JOB,
        _scanned_pdf(),
        {
            "kind": "pdf",
            "page": 1,
            "dpi": 300,
            "skew": -1.5,
            "boxes": [list(ACCOUNT), list(BTN)],
            "preparations": [list(p) for p in verify.RECOVERY_PREPARATIONS],
        },
        field_name="file",
    )
    reads = json.loads(result.payload)
    assert len(reads) == 2
    for texts in reads:
        assert verify.agrees("account_number", "8840-2231-77", texts[0])
        assert verify.agrees("btn", "+12125550143", texts[1])


@needs_ocr
@pytest.mark.parametrize(
    "preparations",
    [[[9, 180, 7]], [[2, 180, 3]], [[2, 0, 7]], [[2, 180, 7]] * 3, "3x", [[2, 180]]],
)
def test_the_job_refuses_a_preparation_out_of_bounds(preparations: object) -> None:
    with pytest.raises(sandbox.JobOverrun):
        sandbox.run_job(
            verify.JOB,
            _scanned_pdf(),
            {"kind": "pdf", "page": 1, "boxes": [list(ACCOUNT)], "preparations": preparations},
            field_name="file",
        )
