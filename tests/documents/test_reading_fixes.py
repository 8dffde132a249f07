"""The reader's defects the corpus found (issue 14), one case each: a table's header row,
upper-case Courier read by OCR, OCR misreads that must come out null rather than wrong,
and labels OCR misspelt by one letter. OCR's words are made here as tesseract's TSV, so
no tesseract runs."""

from __future__ import annotations

import json

import pytest
from reading_documents import helv, make_pdf

from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading import words as words_module
from faxline.documents.reading.words import Page, Word

HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)


def born_digital(*rows: object) -> facts_module.Facts:
    _meta, payload = words_module.words_job(make_pdf(list(rows)), {})  # type: ignore[arg-type]
    return facts_module.find_facts(words_module.pages_from_plain(json.loads(payload)))


def ocr_page(*lines: list[tuple[str, int, int, float]], height: int = 30) -> list[Page]:
    """A page as tesseract reads it at 300 dpi: lines of (text, left, width, confidence)
    in pixels, one line every 60 pixels, each word ``height`` pixels high."""
    rows = [HEADER]
    for number, line in enumerate(lines, start=1):
        top = 300 + 60 * number
        rows.append(f"4\t1\t1\t1\t{number}\t0\t0\t{top}\t2000\t{height}\t-1\t")
        for index, (text, left, width, confidence) in enumerate(line, start=1):
            rows.append(
                f"5\t1\t1\t1\t{number}\t{index}\t{left}\t{top}\t{width}\t{height}\t{confidence}\t{text}"
            )
    words = ocr_module.words_from_tsv("\n".join(rows), 300)
    return words_module.pages_from_plain(
        [{"number": 1, "width": 612, "height": 792, "words": words}]
    )


def courier(x: int, *texts: str, confidence: float = 96.0) -> list[tuple[str, int, int, float]]:
    """Upper-case Courier 9 pt at 300 dpi as tesseract boxes it: 22.5 px a character,
    a word's ink 2 px narrower than its cells, one space between words."""
    words, left = [], x
    for text in texts:
        words.append((text, left + 1, 22 * len(text), confidence))
        left += round(22.5 * (len(text) + 1))
    return words


def test_a_header_cell_beside_a_label_is_not_its_value_the_cell_below_is() -> None:
    facts = born_digital(
        helv(54, 140, "ACCOUNT NUMBER", 8, bold=True),
        helv(204, 140, "BILL DATE", 8, bold=True),
        helv(354, 140, "AMOUNT DUE", 8, bold=True),
        helv(54, 156, "8840-2231-77", 9),
        helv(204, 156, "10/18/2026", 9),
        helv(354, 156, "$241.17", 9),
        helv(54, 200, "Telephone Numbers", 8, bold=True),
        helv(204, 200, "Service", 8, bold=True),
        helv(54, 214, "214-555-0184", 9),
        helv(204, 214, "Business line", 9),
        helv(54, 227, "214-555-0185", 9),
        helv(204, 227, "Business line", 9),
    )
    assert facts.statement_date is not None and facts.statement_date.value == "2026-10-18"
    assert facts.account_number is not None and facts.account_number.value == "8840-2231-77"
    assert [n.value for n in facts.numbers] == ["+12145550184", "+12145550185"]


def test_a_value_beside_its_label_is_still_taken_first() -> None:
    facts = born_digital(helv(72, 100, "Bill Date:", 9), helv(230, 100, "March 1, 2026", 9))
    assert facts.statement_date is not None and facts.statement_date.value == "2026-03-01"


def test_upper_case_courier_read_by_ocr_keeps_its_words_together() -> None:
    # 9 pt capitals are ~25 px of ink at 300 dpi: taken as 0.9 em they made 6.7 pt type,
    # and Courier's word space then looked like a column gap.
    pages = ocr_page(
        courier(167, "ACCT", "NO:", "1188-9987-42") + courier(1250, "BTN:", "212", "555", "0157"),
        courier(167, "CUSTOMER", "NAME:", "ACME", "PLUMBING", "LLC"),
        courier(167, "SVC", "ADDR:", "125", "WEST", "31ST", "STREET,", "NEW", "YORK,", "NY")
        + courier(1250, "10001"),
        height=25,
    )
    assert pages[0].words[0].size > 8.0
    facts = facts_module.find_facts(pages)
    assert facts.account_name is not None and facts.account_name.value == "ACME PLUMBING LLC"
    assert facts.account_number is not None and facts.account_number.value == "1188-9987-42"
    assert facts.btn is not None and facts.btn.value == "+12125550157"


def test_a_name_with_a_misread_letter_is_refused_not_reported() -> None:
    pages = ocr_page(
        [
            *[("Account", 300, 190, 96), ("Name:", 510, 140, 96)],
            *[("Summit", 900, 170, 96), ("Lega!", 1090, 130, 72), ("Partners", 1240, 200, 96)],
        ]
    )
    assert facts_module.find_facts(pages).account_name is None


def test_a_name_ocr_could_barely_make_out_is_refused() -> None:
    pages = ocr_page(
        [
            *[("Account", 300, 190, 96), ("Name:", 510, 140, 96)],
            *[("Summit", 900, 170, 96), ("Legal", 1090, 130, 35), ("Partners", 1240, 200, 96)],
        ]
    )
    assert facts_module.find_facts(pages).account_name is None


def test_a_street_number_with_a_letter_among_its_digits_is_refused() -> None:
    assert facts_module.parse_address(["125 West 3ist Street", "New York, NY 10001"]) is None
    assert facts_module.parse_address(["1O1 Main St", "Dallas, TX 75201"]) is None
    for street in ("125 West 31st Street", "12B Elm St", "4500 W 3rd Ave"):
        address = facts_module.parse_address([street, "New York, NY 10001"])
        assert address is not None and address["street"] == street


def test_a_list_name_next_to_a_word_ocr_could_not_read_is_dropped() -> None:
    # "MARIA GOMEZ; JANE DOE" with GOMEZ; at 18: not "MARIA", not "MARIA JANE DOE".
    pages = ocr_page(
        courier(167, "AUTH", "NAME:", "MARIA")
        + courier(167 + round(22.5 * 17), "GOMEZ;", confidence=18)
        + courier(167 + round(22.5 * 24), "JANE", "DOE"),
        height=25,
    )
    assert [n.value for n in facts_module.find_facts(pages).authorized_names] == ["JANE DOE"]


def test_labels_misspelt_by_ocr_by_one_letter_are_recognised() -> None:
    pages = ocr_page(
        [
            *[("Account", 300, 190, 93), ("Hoider:", 510, 170, 92)],
            *[("Coastal", 900, 170, 96), ("Kayak", 1090, 140, 96)],
        ],
        [
            *[("Sve", 300, 80, 90), ("Address:", 400, 200, 95), ("31", 900, 50, 96)],
            *[("Congress", 970, 200, 96), ("Street,", 1190, 150, 96)],
            *[("Boston,", 1360, 160, 96), ("MA", 1540, 70, 96), ("02109", 1630, 130, 96)],
        ],
    )
    facts = facts_module.find_facts(pages)
    assert facts.account_name is not None and facts.account_name.value == "Coastal Kayak"
    assert facts.service_address is not None
    assert facts.service_address.value["street"] == "31 Congress Street"


def test_a_text_layer_label_must_be_spelt_exactly() -> None:
    word = Word("Hoider:", 0, 0, 30, 10, 10)
    assert not facts_module._is_label([word], ["hoider"], ("holder",))
    ocr_word = Word("Hoider:", 0, 0, 30, 10, 10, confidence=92.0)
    assert facts_module._is_label([ocr_word], ["hoider"], ("holder",))
    assert not facts_module._is_label([ocr_word], ["hoiden"], ("holder",))


def test_single_word_columns_a_little_apart_stay_apart() -> None:
    # A narrowest gap of an em is no word space: the columns are cut as before.
    words = [Word(t, x, 0, x + 40, 10, 10) for t, x in (("Service", 0), ("Features", 50))]
    words.append(Word("Notes", 100, 0, 140, 10, 10))
    assert [[w.text for w in s] for s in facts_module._segments(words)] == [
        ["Service"],
        ["Features"],
        ["Notes"],
    ]


# Seed 2, faxed, label_left: tesseract read "Summit Legal Partners" as "Summit Legai
# Partners", as sure of "Legai" (92.5) as of "Summit" (93.3): no confidence tells it apart.
LEXICON = frozenset({"account", "name", "summit", "legal", "partners", "acme", "plumbing"})


def test_a_name_with_a_word_one_confused_letter_from_a_dictionary_word_is_refused() -> None:
    pages = ocr_page(
        [
            *[("Account", 300, 190, 96.6), ("Name:", 510, 140, 96.3)],
            *[("Summit", 900, 170, 93.3), ("Legai", 1040, 130, 92.5)],
            ("Partners", 1150, 200, 96.4),
        ]
    )
    assert facts_module.find_facts(pages, LEXICON).account_name is None


def test_a_name_of_dictionary_words_or_of_words_far_from_any_is_kept() -> None:
    for texts in (("Summit", "Legal", "Partners"), ("Acme", "Plumbinq", "Zyxwv")):
        pages = ocr_page(
            [
                *[("Account", 300, 190, 96.6), ("Name:", 510, 140, 96.3)],
                *[(texts[0], 900, 170, 93.3), (texts[1], 1090, 130, 92.5)],
                (texts[2], 1240, 200, 96.4),
            ]
        )
        found = facts_module.find_facts(pages, LEXICON).account_name
        assert found is not None and found.value == " ".join(texts)


def test_a_misread_word_is_judged_only_in_ocr_words_of_letters() -> None:
    lexicon = frozenset({"legal", "msh", "hoider"})
    assert facts_module.misread_word("Legai,", lexicon)
    assert not facts_module.misread_word("Legal", lexicon)
    assert not facts_module.misread_word("M5H", lexicon)  # a postal code, not "MSH"
    text_layer = [Page(1, 612, 792, (Word("Legai", 0, 0, 30, 10, 10),))]
    assert facts_module.doubt_misreads(text_layer, lexicon) == text_layer


def test_the_lexicon_is_tesseracts_dictionary() -> None:
    if not ocr_module.available():
        pytest.skip("tesseract is not installed")
    words = ocr_module.lexicon()
    assert {"legal", "partners", "street"} <= words and "legai" not in words


# Seeds 3, scanned and faxed, canadian: "06-0820718-4" read as "06-082071" and "8-4", two
# points apart: the number was reported cut short.
def test_an_account_number_ocr_cut_in_two_is_refused() -> None:
    assert facts_module.parse_account_number("06-082071 8-4") is None
    assert facts_module.parse_account_number("8840 2231 77") == "8840 2231 77"
    assert facts_module.parse_account_number("8840-2231-77 Page 2") == "8840-2231-77"
    pages = ocr_page(
        [
            *[("Account", 300, 160, 93.3), ("No.:", 470, 70, 91.0)],
            *[("06-082071", 830, 190, 91.0), ("8-4", 1030, 60, 96.9)],
        ]
    )
    assert facts_module.find_facts(pages).account_number is None
