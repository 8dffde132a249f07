"""Snippets of where facts were read (``read.snippets``): the places
``Extraction.sources()`` names, drawn in the sandbox as small greyscale PNGs, on born-digital
and scanned bills of the reading corpus, and the refusals, alike to ``read_words``'s."""

from __future__ import annotations

import io
from typing import Any

import pytest
from document_files import blank_pdf, encrypted_pdf, pdf_with_catalog
from PIL import Image

from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.reading import snippets as snippets_module
from faxline.documents.reading.extract import extract
from faxline.documents.reading.snippets import MAX_HEIGHT_PX, MAX_REGIONS, MAX_WIDTH_PX, snippets
from faxline.documents.reading.words import read_words
from hostile_documents import absurd_startxref_pdf, raw_pdf
from reading_corpus import documents

# A margin of a letter page where none of the corpus's layouts draws anything.
MARGIN = (1, (560.0, 740.0, 600.0, 780.0))


@pytest.fixture(scope="module")
def bill() -> tuple[bytes, bytes, dict[str, Any]]:
    """The label-left bill born digital and scanned, with the sources read from the first."""
    born, scan = documents(layouts=["label_left"], kinds=("born_digital", "scanned"))
    return born.data, scan.data, extract(born.data, born.filename).sources()


def _region(source: dict[str, Any]) -> tuple[int, tuple[float, float, float, float]]:
    x0, top, x1, bottom = source["box"]
    return source["page"], (x0, top, x1, bottom)


def _image(png: bytes | None) -> Image.Image:
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "L"
    assert 0 < image.width <= MAX_WIDTH_PX and 0 < image.height <= MAX_HEIGHT_PX
    return image


def _ink(image: Image.Image) -> float:
    """The share of the image's pixels that are dark."""
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def test_the_account_name_shows_ink_and_a_margin_none(
    bill: tuple[bytes, bytes, dict[str, Any]],
) -> None:
    born, _scan, sources = bill
    name, margin = snippets(born, [_region(sources["account_name"]), MARGIN])
    named = _image(name)
    assert _ink(named) > 0.03
    # The value's box (about 80 x 12 points) with its context, at 150 dpi.
    x0, top, x1, bottom = sources["account_name"]["box"]
    assert named.width == pytest.approx((x1 - x0 + 36 + 10.8) * 150 / 72, abs=3)
    assert named.height == pytest.approx((bottom - top + 2 * 10.8) * 150 / 72, abs=3)
    assert _ink(_image(margin)) == 0.0


def test_a_scanned_bill_gives_its_snippets_too(
    bill: tuple[bytes, bytes, dict[str, Any]],
) -> None:
    _born, scan, sources = bill
    name, margin = snippets(scan, [_region(sources["account_name"]), MARGIN])
    # The scan's specks of dust darken 0.2 % of its pixels; the name's letters far more.
    assert _ink(_image(name)) > 0.03
    assert _ink(_image(margin)) < 0.01


def test_two_regions_on_one_page_and_one_on_a_missing_page(
    bill: tuple[bytes, bytes, dict[str, Any]],
) -> None:
    born, _scan, sources = bill
    name, missing, btn, empty = snippets(
        born,
        [
            _region(sources["account_name"]),
            (99, (72.0, 72.0, 200.0, 90.0)),
            _region(sources["btn"]),
            (1, (100.0, 100.0, 100.0, 120.0)),
        ],
    )
    assert missing is None and empty is None
    assert name is not None and btn is not None and name != btn
    assert _ink(_image(name)) > 0.03 and _ink(_image(btn)) > 0.03


def test_a_whole_page_box_is_scaled_into_the_bounds(
    bill: tuple[bytes, bytes, dict[str, Any]],
) -> None:
    born, _scan, _sources = bill
    (page,) = snippets(born, [(1, (0.0, 0.0, 612.0, 792.0))])
    image = _image(page)
    assert image.height == MAX_HEIGHT_PX
    assert _ink(image) > 0.0


def test_a_giant_page_is_drawn_no_larger_than_a_snippet() -> None:
    # 200 x 200 inches, black all over: drawn whole at 150 dpi it would be 900 million pixels.
    content = b"0 g 0 0 14400 14400 re f"
    giant = raw_pdf(
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R>>",
        b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content),
    )
    whole, corner = snippets(giant, [(1, (0.0, 0.0, 14400.0, 14400.0)), (1, (50, 50, 90, 60))])
    assert _image(whole).size == (MAX_HEIGHT_PX, MAX_HEIGHT_PX)
    assert _ink(_image(whole)) == 1.0
    assert _ink(_image(corner)) == 1.0


def test_more_than_forty_regions_is_a_programming_error(
    bill: tuple[bytes, bytes, dict[str, Any]],
) -> None:
    born, _scan, sources = bill
    assert len(snippets(born, [_region(sources["btn"])] * MAX_REGIONS)) == MAX_REGIONS
    with pytest.raises(ValueError):
        snippets(born, [_region(sources["btn"])] * (MAX_REGIONS + 1))


def test_what_is_not_a_pdf_is_refused_on_the_file() -> None:
    with pytest.raises(ValidationFailed) as caught:
        snippets(b"GIF89a not a pdf at all", [MARGIN])
    assert caught.value.field == "file"
    assert caught.value.code == "document_type"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(absurd_startxref_pdf(), id="absurd_startxref"),
        pytest.param(raw_pdf(b"<</Type /Catalog>>"), id="no_page_tree"),
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 8, id="garbage"),
        pytest.param(encrypted_pdf(), id="encrypted"),
        pytest.param(blank_pdf(501), id="too_many_pages"),
        pytest.param(
            pdf_with_catalog(b"/OpenAction 4 0 R", b"", b"<</S /JavaScript /JS (app.alert(1))>>"),
            id="javascript",
        ),
    ],
)
def test_a_hostile_pdf_is_refused_as_read_words_refuses_it(data: bytes) -> None:
    try:
        read_words(data)
    except ValidationFailed as refused:
        with pytest.raises(ValidationFailed) as caught:
            snippets(data, [MARGIN])
        assert (caught.value.field, caught.value.code) == (refused.field, refused.code)
    else:
        (snippet,) = snippets(data, [MARGIN])
        assert snippet is None or _image(snippet).mode == "L"


def test_a_worker_that_overruns_its_limits_is_a_refusal(
    bill: tuple[bytes, bytes, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def overrun(*_args: Any, **_kwargs: Any) -> Any:
        raise sandbox.JobOverrun("cpu", sandbox.JobCost(10.0, 0, 10.0))

    monkeypatch.setattr(sandbox, "run_job", overrun)
    with pytest.raises(ValidationFailed) as caught:
        snippets(bill[0], [MARGIN], label="bill.pdf")
    assert (caught.value.field, caught.value.code) == ("file", "document_unreadable")
    assert snippets_module.JOB == "read.snippets"


def test_a_turned_page_shows_the_place_its_words_were_read() -> None:
    # Words' boxes are in the page's unturned space: the snippet must be the same place.
    from pypdf import PdfReader, PdfWriter
    from reading_documents import helv, make_pdf

    pdf = make_pdf([helv(72, 130, "Account Name:"), helv(200, 130, "Acme Plumbing LLC")])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    turned = out.getvalue()
    (page,) = read_words(turned)
    acme = next(word for word in page.words if word.text == "Acme")
    (upright,) = snippets(pdf, [(1, acme.box)])
    (snippet,) = snippets(turned, [(1, acme.box)])
    assert _ink(_image(snippet)) > 0.02
    assert _image(snippet).tobytes() == _image(upright).tobytes()
