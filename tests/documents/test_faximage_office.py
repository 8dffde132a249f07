"""Office documents to TIFF-F through the warm LibreOffice: Word, Excel, PowerPoint (old and
new formats) and RTF, made at test time by the same instance from text, a CSV and a PDF;
the instance is shared (one start for the module), a conversion over its time is refused
and the instance replaced."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fax_samples import SENTENCE, assert_tiff_f, ocr, text_pdf

from faxline.documents import office
from faxline.documents.faximage import FaxBudget, InvalidAttachment, convert_to_fax, fax_image_pages

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]

TEXT = f"{SENTENCE}\n".encode()
CSV = b"Item,Amount\nPaper,12\nToner,40\n"
# (source, its suffix, target suffix, LibreOffice filter, import filter)
RECIPES = {
    "docx": (TEXT, ".txt", ".docx", "MS Word 2007 XML", ""),
    "doc": (TEXT, ".txt", ".doc", "MS Word 97", ""),
    "rtf": (TEXT, ".txt", ".rtf", "Rich Text Format", ""),
    "xlsx": (CSV, ".csv", ".xlsx", "Calc MS Excel 2007 XML", ""),
    "xls": (CSV, ".csv", ".xls", "MS Excel 97", ""),
    "pptx": (None, ".pdf", ".pptx", "Impress MS PowerPoint 2007 XML", "impress_pdf_import"),
    "ppt": (None, ".pdf", ".ppt", "MS PowerPoint 97", "impress_pdf_import"),
}


@pytest.fixture(scope="module")
def samples() -> Iterator[dict[str, bytes]]:
    made = {}
    for kind, (source, suffix, target, filter_name, infilter) in RECIPES.items():
        data = source if source is not None else text_pdf(1, points=14)
        made[kind] = office.export(data, suffix, target, filter_name, infilter=infilter)
    yield made


@pytest.mark.parametrize("kind", list(RECIPES))
def test_office_documents_convert(samples: dict[str, bytes], kind: str) -> None:
    image = convert_to_fax(samples[kind], filename=f"attachment.{kind}")
    assert image.source_kind == ("rtf" if kind == "rtf" else "office")
    assert image.pages >= 1 and not image.discouraged
    assert_tiff_f(image.tiff, pages=image.pages)


def test_a_word_document_is_legible_and_the_instance_stays_warm(samples: dict[str, bytes]) -> None:
    first = office.office_pid()
    image = convert_to_fax(samples["docx"], filename="lease.docx")
    assert office.office_pid() == first is not None  # no new LibreOffice per document
    (page,) = fax_image_pages(image.tiff)
    words = set(ocr(page.crop((0, 0, 1728, 500))).lower().split())
    expected = set(SENTENCE.lower().split())
    assert len(expected & words) >= len(expected) - 1, words


def test_a_conversion_over_its_time_is_refused_and_the_instance_replaced(
    samples: dict[str, bytes],
) -> None:
    before = office.office_pid()
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(samples["xlsx"], budget=FaxBudget(office_seconds=0.001))
    assert caught.value.reason == "timeout"
    assert office.office_pid() is None and before is not None
    assert convert_to_fax(samples["doc"]).pages == 1  # a new instance takes over
    assert office.office_pid() not in (None, before)


def test_a_damaged_office_document_is_refused(samples: dict[str, bytes]) -> None:
    data = samples["doc"]
    damaged = data[:1024] + b"\xff" * (len(data) - 1024)
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(damaged, filename="broken.doc")
    assert caught.value.reason in ("corrupt", "unknown_type")


def test_without_libreoffice_an_office_document_is_refused_clearly(
    samples: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    office.stop_office()
    monkeypatch.setenv("PATH", "/nonexistent")  # no soffice to be found
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(samples["docx"], filename="lease.docx")
    assert caught.value.reason == "office_unavailable"
    assert "send it as a PDF" in caught.value.message
