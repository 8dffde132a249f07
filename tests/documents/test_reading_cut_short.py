"""A list read may miss entries (issue 14): an entry OCR could not make out, or a list that
runs past what is read of it. The reader says so (``Facts.cut_short``), porting stores it,
and the check "a number to port is not on the document" does not trust such a list."""

from __future__ import annotations

import json

from reading_documents import helv, make_pdf
from test_reading_fixes import courier, ocr_page

from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import words as words_module


def _read(*pages: list[object]) -> facts_module.Facts:
    _meta, payload = words_module.words_job(make_pdf(*pages), {})  # type: ignore[arg-type]
    return facts_module.find_facts(words_module.pages_from_plain(json.loads(payload)))


def test_a_whole_list_is_not_cut_short() -> None:
    facts = _read(
        [
            helv(72, 100, "Telephone Numbers:", bold=True),
            helv(200, 100, "(206) 234-5678"),
            helv(200, 114, "(206) 234-5679"),
            helv(72, 160, "Amount Due"),
        ],
        [helv(72, 100, "Page 2 of 2")],
    )
    assert [f.value for f in facts.numbers] == ["+12062345678", "+12062345679"]
    assert facts.cut_short == set()


def test_a_list_at_the_foot_of_a_page_with_more_pages_after_it_may_go_on() -> None:
    rows = [helv(72, 100, "Telephone Numbers:", bold=True)]
    rows += [helv(200, 100 + 14 * i, f"(206) 234-56{10 + i}") for i in range(5)]
    facts = _read(rows, [helv(200, 60, "(206) 234-5699"), helv(72, 100, "Page 2 of 2")])
    assert len(facts.numbers) == 5 and facts.cut_short == {"numbers"}
    # The same list as the last thing of the last page: nothing follows it.
    alone = _read(rows)
    assert len(alone.numbers) == 5 and alone.cut_short == set()


def test_a_list_longer_than_its_window_is_cut_short() -> None:
    window = facts_module.MAX_VALUE_LINES["numbers"]
    rows = [helv(72, 60, "Telephone Numbers:", bold=True)]
    rows += [helv(200, 60 + 14 * i, f"(206) 234-{5600 + i}") for i in range(window + 5)]
    rows.append(helv(72, 60 + 14 * (window + 8), "Amount Due"))
    facts = _read(rows)
    assert len(facts.numbers) == window and facts.cut_short == {"numbers"}


def test_an_entry_ocr_could_not_make_out_leaves_the_list_cut_short() -> None:
    pages = ocr_page(
        courier(100, "TN:", "206", "234", "5678"),
        courier(100, "   ", "206", "234", "5679", confidence=31.0),
    )
    facts = facts_module.find_facts(pages)
    assert [f.value for f in facts.numbers] == ["+12062345678"]
    assert "numbers" in facts.cut_short
