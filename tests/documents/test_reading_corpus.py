"""The reading corpus (issue 14, ``tests/reading_corpus.py``): it makes the layouts the
issue asks for, the same bytes for the same seed, and every born-digital layout reads to
its truth. OCR's accuracy on the scanned and faxed kinds is measured by
``bench/reading.py``, not tested here (seconds a page)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from faxline.documents.reading.extract import extract
from reading_corpus import LAYOUTS, documents

# Defects of the reader the corpus found, to be fixed in documents/reading/facts.py, as
# {layout: reason} (a strict xfail). The table's header row was one (fixed: the value below
# a header cell is tried when the next cell does not parse).
KNOWN_DEFECTS: dict[str, str] = {}


def test_the_corpus_has_eight_layouts_in_three_kinds() -> None:
    assert len(LAYOUTS) >= 8
    made = list(documents(kinds=("born_digital",)))
    assert {d.layout for d in made} == set(LAYOUTS)
    assert all(d.data.startswith(b"%PDF") for d in made)
    assert any(d.pages == 2 for d in made)  # the bill whose facts are on page 2
    canadian = next(d for d in made if d.layout == "canadian")
    assert canadian.truth["service_address"]["state"] in ("ON", "BC")
    assert canadian.truth["service_address"]["postal_code"][0].isalpha()
    again = list(documents(kinds=("born_digital",)))
    assert [d.data for d in again] == [d.data for d in made]


def test_a_faxed_document_is_a_fine_mode_g4_tiff() -> None:
    fax = next(documents(kinds=("faxed",), layouts=["multi_page"]))
    image = Image.open(io.BytesIO(fax.data))
    assert image.mode == "1" and image.size == (1728, 2156)
    assert image.info["compression"] == "group4"
    assert tuple(round(x) for x in image.info["dpi"]) == (204, 196)
    assert getattr(image, "n_frames", 1) == 2


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_DEFECTS[name], strict=True))
        if name in KNOWN_DEFECTS
        else name
        for name in LAYOUTS
    ],
)
def test_every_born_digital_layout_reads_to_its_truth(layout: str) -> None:
    document = next(documents(kinds=("born_digital",), layouts=[layout]))
    as_json = extract(document.data, document.filename).as_json()
    assert as_json["document_type"] == document.document_type
    assert as_json["pages"] == document.pages
    assert as_json["facts"] == document.truth
