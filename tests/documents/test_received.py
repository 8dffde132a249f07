"""Received faxes as the recipient's files: TIFFs written the way spandsp writes them (G3
and G4, fill order 2, standard and fine pages in one fax) become a PDF at the fax's true
page size with the pages embedded losslessly, a clean TIF, a TIF-HiRes with standard pages
line-doubled, a TIF-Fax, one file per page on request, and the metadata XML; XPS is not
offered; damaged and hostile TIFFs are refused cleanly by the sandboxed decoder."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fax_images import FAX_WIDTH, Page, draw_page, fax_pages, mixed_fax, spandsp_tiff
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from faxline.core.errors import ValidationFailed
from faxline.documents.received import (
    FILE_TYPES,
    XML_NAMESPACE,
    DeliveredFile,
    Reception,
    check_file_type,
    file_stem,
    metadata_xml,
    received_files,
)
from hostile_documents import bomb_tiff, tiff_next_page_past_the_end

pytestmark = pytest.mark.database_independent

NS = {"f": XML_NAMESPACE}
START = dt.datetime(2026, 12, 6, 14, 30, 5, tzinfo=dt.UTC)
RECEPTION = Reception(
    fax_id="501-26438917",
    caller_number="+12125550142",
    remote_csid="+1 212 555 0142",
    called_number="+16465550110",
    pages=3,
    started_at=START,
    ended_at=START + dt.timedelta(seconds=74),
    time_zone="America/New_York",
    result_code=0,
    result_text="OK",
)


@pytest.fixture(scope="module")
def g4_fax() -> tuple[list[Page], bytes]:
    return mixed_fax("g4")


@pytest.fixture(scope="module")
def g3_fax() -> tuple[list[Page], bytes]:
    return mixed_fax("g3")


@pytest.fixture(scope="module")
def g4_pdf(g4_fax: tuple[list[Page], bytes]) -> bytes:
    (pdf,) = received_files(g4_fax[1], RECEPTION)
    assert pdf.name == "fax-501-26438917.pdf" and pdf.content_type == "application/pdf"
    return pdf.data


def render(pdf: bytes, page: int, size: tuple[int, int], tmp_path: Path) -> Image.Image:
    """One page of a PDF rendered by poppler to ``size`` pixels, as bilevel pixels.

    Poppler smooths an image it scales by less than 4x, even at (nearly) 1:1; drawn at 4x
    it copies pixels, so the page is rendered at four times ``size`` and sampled back."""
    source = tmp_path / "fax.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(page),
            "-l",
            str(page),
            "-scale-to-x",
            str(4 * size[0]),
            "-scale-to-y",
            str(4 * size[1]),
            "-mono",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        capture_output=True,
    )
    (out,) = tmp_path.glob("page*.pbm")
    with Image.open(out) as image:
        rendered = image.convert("1").resize(size, Image.Resampling.NEAREST)
    out.unlink()
    return rendered


def differing(a: Image.Image, b: Image.Image) -> int:
    from PIL import ImageChops

    assert a.size == b.size, (a.size, b.size)
    return sum(ImageChops.logical_xor(a, b).convert("L").histogram()[255:])


# --- PDF ---------------------------------------------------------------------------


def test_pdf_pages_have_the_fax_page_size_and_aspect(g4_pdf: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(g4_pdf))
    assert len(reader.pages) == 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        # 1728 dots at 204 dpi: 8.47 in; 11 in long whether fine (2156 rows at 196 dpi)
        # or standard (1078 rows at 98 dpi): a standard page is not squashed.
        assert width == pytest.approx(FAX_WIDTH / 204 * 72, abs=0.01)
        assert height == pytest.approx(792, abs=0.5)
    info = reader.metadata
    assert info is not None
    assert info["/Author"] == "+1 212 555 0142" and info["/FaxRemoteCSI"] == "+1 212 555 0142"
    assert "+1 212 555 0142" in info["/Title"]
    assert info["/CreationDate"] == "D:20261206143005+00'00'"


def test_pdf_embeds_the_pages_as_g4_without_text_and_stays_small(
    g4_fax: tuple[list[Page], bytes], g4_pdf: bytes, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(g4_pdf))
    for page in reader.pages:
        (image,) = page["/Resources"]["/XObject"].values()
        image = image.get_object()
        assert image["/Filter"] == "/CCITTFaxDecode"
        assert image["/BitsPerComponent"] == 1
        assert image["/DecodeParms"]["/K"] == -1
        assert "/Font" not in page["/Resources"]
    assert len(g4_pdf) <= 1.5 * len(g4_fax[1]), (len(g4_pdf), len(g4_fax[1]))
    source = tmp_path / "fax.pdf"
    source.write_bytes(g4_pdf)
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True)
    assert text.stdout.strip() == b""


def test_pdf_pages_render_back_to_the_received_pixels(
    g4_fax: tuple[list[Page], bytes], g4_pdf: bytes, tmp_path: Path
) -> None:
    pages, _tiff = g4_fax
    for number, page in enumerate(pages, start=1):
        rendered = render(g4_pdf, number, page.image.size, tmp_path)
        assert differing(rendered, page.image) == 0, number
        assert differing(rendered, pages[number % 3].image.resize(rendered.size)) > 1000


def test_g3_input_gives_the_same_pages(g3_fax: tuple[list[Page], bytes], tmp_path: Path) -> None:
    pages, tiff = g3_fax
    (pdf,) = received_files(tiff, RECEPTION)
    rendered = render(pdf.data, 2, pages[1].image.size, tmp_path)
    assert differing(rendered, pages[1].image) == 0
    (tif,) = received_files(tiff, RECEPTION, file_type="tif")
    assert [p.tobytes() for p, _dpi in fax_pages(tif.data)] == [p.image.tobytes() for p in pages]


def test_a_resolution_in_centimetres_and_msb_fill_order(tmp_path: Path) -> None:
    pages = [draw_page(1, fine=False)]
    tiff = spandsp_tiff(pages, compression="g3-2d", fill_order=1, unit="cm")
    (pdf,) = received_files(tiff, RECEPTION)
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(pdf.data)).pages[0].mediabox
    assert float(box.height) == pytest.approx(792, abs=0.5)
    assert differing(render(pdf.data, 1, pages[0].image.size, tmp_path), pages[0].image) == 0


# --- TIF, TIF-HiRes, TIF-Fax ---------------------------------------------------------


def test_tif_is_a_clean_multipage_g4_tiff_of_the_same_pages(
    g4_fax: tuple[list[Page], bytes],
) -> None:
    pages, tiff = g4_fax
    (tif,) = received_files(tiff, RECEPTION, file_type="tif")
    assert (tif.name, tif.content_type) == ("fax-501-26438917.tif", "image/tiff")
    back = fax_pages(tif.data)
    assert [dpi for _p, dpi in back] == [(204.0, 196.0), (204.0, 98.0), (204.0, 196.0)]
    assert [p.tobytes() for p, _dpi in back] == [p.image.tobytes() for p in pages]
    with Image.open(io.BytesIO(tif.data)) as image:
        for index in range(3):
            image.seek(index)
            tags = image.tag_v2
            assert (tags[259], tags[262], tags.get(266, 1), tags[296]) == (4, 0, 1, 2)
            assert tags[278] == image.size[1]  # one strip per page
            assert tags[297] == (index, 3)
            assert tags[270] == "+1 212 555 0142"


def test_tif_hires_doubles_the_lines_of_standard_pages(g4_fax: tuple[list[Page], bytes]) -> None:
    pages, tiff = g4_fax
    (tif,) = received_files(tiff, RECEPTION, file_type="tif-hires")
    back = fax_pages(tif.data)
    assert [dpi for _p, dpi in back] == [(204.0, 196.0)] * 3
    assert back[0][0].tobytes() == pages[0].image.tobytes()  # fine pages unchanged
    standard, doubled = pages[1].image, back[1][0]
    assert doubled.size == (standard.width, standard.height * 2)
    stride = (standard.width + 7) // 8
    rows, twice = standard.tobytes(), doubled.tobytes()
    for row in range(standard.height):
        line = rows[row * stride : (row + 1) * stride]
        assert twice[2 * row * stride : (2 * row + 1) * stride] == line
        assert twice[(2 * row + 1) * stride : (2 * row + 2) * stride] == line


def test_tif_fax_is_a_tiff_named_fax(g4_fax: tuple[list[Page], bytes]) -> None:
    (fax,) = received_files(g4_fax[1], RECEPTION, file_type="tif-fax")
    (tif,) = received_files(g4_fax[1], RECEPTION, file_type="TIF")
    assert fax.name == "fax-501-26438917.fax" and fax.content_type == "image/tiff"
    assert fax.data == tif.data and fax.data[:4] == b"II*\x00"


def test_unknown_file_types_are_refused() -> None:
    assert [value for value, _label in FILE_TYPES] == ["tif", "xps", "pdf", "tif-hires", "tif-fax"]
    with pytest.raises(ValidationFailed) as unknown:
        received_files(b"II*\x00", RECEPTION, file_type="docx")
    assert unknown.value.code == "file_type_unknown" and unknown.value.field == "file_type"
    assert check_file_type("") == "pdf" and check_file_type(" XPS ") == "xps"


@pytest.fixture(scope="module")
def g4_xps(g4_fax: tuple[list[Page], bytes]) -> bytes:
    (xps,) = received_files(g4_fax[1], RECEPTION, file_type="xps")
    assert xps.name == "fax-501-26438917.xps"
    assert xps.content_type == "application/vnd.ms-xpsdocument"
    return xps.data


def test_xps_is_a_fixed_document_package_of_the_pages(g4_xps: bytes) -> None:
    import zipfile

    xps_ns = {"x": "http://schemas.microsoft.com/xps/2005/06"}
    with zipfile.ZipFile(io.BytesIO(g4_xps)) as package:
        names = set(package.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "FixedDocSeq.fdseq"} <= names
        rels = ET.fromstring(package.read("_rels/.rels"))
        targets = {r.get("Target") for r in rels}
        assert "/FixedDocSeq.fdseq" in targets and "/docProps/core.xml" in targets
        document = ET.fromstring(package.read("Documents/1/FixedDoc.fdoc"))
        sources = [p.get("Source") for p in document.findall("x:PageContent", xps_ns)]
        assert sources == [f"/Documents/1/Pages/{n}.fpage" for n in (1, 2, 3)]
        for number in (1, 2, 3):
            page = ET.fromstring(package.read(f"Documents/1/Pages/{number}.fpage"))
            # XPS units are 1/96 in: 8.47 x 11 in for fine and standard pages alike.
            assert float(page.get("Width") or 0) == pytest.approx(1728 / 204 * 96, abs=0.01)
            assert float(page.get("Height") or 0) == pytest.approx(11 * 96, abs=0.5)
            png = package.read(f"Documents/1/Resources/Images/{number}.png")
            with Image.open(io.BytesIO(png)) as image:
                assert image.mode == "1"
        core = package.read("docProps/core.xml").decode()
        assert "+1 212 555 0142" in core and "2026-12-06T14:30:05+00:00" in core


def test_xps_pages_render_back_to_the_received_pixels(
    g4_fax: tuple[list[Page], bytes], g4_xps: bytes, tmp_path: Path
) -> None:
    """libgxps (the XPS reader of GNOME's viewer) draws each page with the fax's pixels."""
    source = tmp_path / "fax.xps"
    source.write_bytes(g4_xps)
    for number, page in enumerate(g4_fax[0], start=1):
        width, height = page.image.size
        subprocess.run(
            [
                "xpstopng",
                "-f",
                str(number),
                "-l",
                str(number),
                "--rx",
                str(4 * page.x_dpi),
                "--ry",
                str(4 * page.y_dpi),
                str(source),
                str(tmp_path / "xps"),
            ],
            check=True,
            capture_output=True,
        )
        with Image.open(tmp_path / f"xps-{number}.png") as drawn:
            grey = drawn.convert("L").crop((0, 0, 4 * width, 4 * height))
        bilevel = grey.point(lambda v: 255 if v >= 128 else 0).convert("1")
        rendered = bilevel.resize((width, height), Image.Resampling.NEAREST)
        assert differing(rendered, page.image) == 0, number


# --- Fax Page Separation and Add Metadata -------------------------------------------


def test_page_separation_gives_one_file_per_page(g4_fax: tuple[list[Page], bytes]) -> None:
    from pypdf import PdfReader

    pages, tiff = g4_fax
    files = received_files(tiff, RECEPTION, separate_pages=True)
    assert [f.name for f in files] == [f"fax-501-26438917-page-0{n}.pdf" for n in (1, 2, 3)]
    for file in files:
        reader = PdfReader(io.BytesIO(file.data))
        assert len(reader.pages) == 1
        assert float(reader.pages[0].mediabox.height) == pytest.approx(792, abs=0.5)
    tifs = received_files(tiff, RECEPTION, file_type="tif-fax", separate_pages=True)
    assert [f.name for f in tifs] == [f"fax-501-26438917-page-0{n}.fax" for n in (1, 2, 3)]
    xps = received_files(tiff, RECEPTION, file_type="xps", separate_pages=True)
    assert [f.name for f in xps] == [f"fax-501-26438917-page-0{n}.xps" for n in (1, 2, 3)]
    assert [fax_pages(f.data)[0][0].tobytes() for f in tifs] == [p.image.tobytes() for p in pages]


def test_metadata_xml_with_the_event_data(g4_fax: tuple[list[Page], bytes]) -> None:
    files = received_files(g4_fax[1], RECEPTION, add_metadata=True)
    assert [f.name for f in files] == ["fax-501-26438917.pdf", "fax-501-26438917.xml"]
    xml = files[1]
    assert xml.content_type == "application/xml"
    root = ET.fromstring(xml.data)
    assert root.tag == f"{{{XML_NAMESPACE}}}receivedFax" and root.get("id") == "501-26438917"

    def text(tag: str) -> str:
        return root.findtext(f"f:{tag}", namespaces=NS) or ""

    assert text("callerNumber") == "+12125550142"
    assert text("remoteCsid") == "+1 212 555 0142"
    assert text("calledNumber") == "+16465550110"
    assert text("pages") == "3"
    assert text("receivedStart") == "2026-12-06T09:30:05-05:00"
    assert text("receivedEnd") == "2026-12-06T09:31:19-05:00"
    assert text("timeZone") == "America/New_York"
    assert text("durationSeconds") == "74"
    result = root.find("f:result", NS)
    assert result is not None and (result.get("code"), result.text) == ("0", "OK")
    assert text("potentialPartial") == "false"
    (listed,) = root.findall("f:files/f:file", NS)
    assert listed.get("name") == files[0].name and listed.get("sha256") == files[0].sha256


def test_metadata_xml_escapes_a_hostile_csid() -> None:
    hostile = Reception(
        fax_id='9"><x/>',
        remote_csid="<&\"'>]]>\x00\x07\x1b[31m\ud800 CSI",
        caller_number="<script>",
        result_code=48,
        result_text="Disconnected after permitted retries & <more>",
        partial=True,
        pages=1,
    )
    data = metadata_xml(hostile, [DeliveredFile('a"<&>.pdf', "application/pdf", b"%PDF")])
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)  # well-formed
    assert root.get("id") == '9"><x/>'
    assert root.findtext("f:remoteCsid", namespaces=NS) == (
        "<&\"'>]]>\ufffd\ufffd\ufffd[31m\ufffd CSI"
    )
    assert root.findtext("f:callerNumber", namespaces=NS) == "<script>"
    assert root.findtext("f:potentialPartial", namespaces=NS) == "true"
    assert root.find("f:result", NS).get("code") == "48"  # type: ignore[union-attr]
    assert root.find("f:files/f:file", NS).get("name") == 'a"<&>.pdf'  # type: ignore[union-attr]
    assert b"<x/>" not in data and b"<script>" not in data
    assert root.findtext("f:receivedStart", namespaces=NS) == ""


def test_file_names_keep_only_safe_characters() -> None:
    assert file_stem("501-26438917") == "fax-501-26438917"
    assert file_stem("../../etc/passwd\r\n") == "fax-etc-passwd"
    assert file_stem("") == "fax-received"


# --- hostile and damaged faxes ---------------------------------------------------------


def refused(data: bytes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        received_files(data, RECEPTION)
    assert caught.value.field == "file"
    return caught.value


def test_a_truncated_fax_is_refused(g4_fax: tuple[list[Page], bytes]) -> None:
    tiff = g4_fax[1]
    assert refused(tiff[: len(tiff) // 2]).code == "fax_image_unreadable"
    assert refused(tiff[:200]).code == "fax_image_unreadable"


def test_hostile_and_wrong_files_are_refused() -> None:
    assert refused(b"").code == "fax_image_unreadable"
    assert refused(b"%PDF-1.4 not a fax").code == "fax_image_unreadable"
    assert refused(tiff_next_page_past_the_end()).code == "fax_image_unreadable"
    # Decompression bombs: too wide, too long, too many pages; refused from the headers.
    assert refused(bomb_tiff(frames=2)).code == "fax_image_too_large"
    assert refused(bomb_tiff(frames=1, width=1728, height=200_000)).code == "fax_image_too_large"
    assert refused(bomb_tiff(frames=600, width=1728, height=100)).code == "fax_image_too_large"
    out = io.BytesIO()
    Image.new("L", (1728, 1100), 255).save(out, "TIFF")
    assert "black and white" in refused(out.getvalue()).message


def test_decoding_runs_in_the_sandbox(g4_fax: tuple[list[Page], bytes]) -> None:
    from faxline.documents import sandbox

    received_files(g4_fax[1], RECEPTION)
    assert sandbox.zygote_pid() is not None


def test_a_hostile_csid_in_the_pdf_and_the_tiff(g4_fax: tuple[list[Page], bytes]) -> None:
    from pypdf import PdfReader

    csid = ') /JavaScript (app.alert(1)) \\ <&"> \x00\x1b\ud800 Ω'
    hostile = Reception(fax_id="7", remote_csid=csid, started_at=START)
    (pdf,) = received_files(g4_fax[1], hostile)
    reader = PdfReader(io.BytesIO(pdf.data))
    info = reader.metadata
    assert info is not None
    assert info["/FaxRemoteCSI"] == csid.replace("\ud800", "?")
    assert "/JavaScript" not in reader.trailer["/Root"]
    assert b"/JavaScript" not in pdf.data
    (tif,) = received_files(g4_fax[1], hostile, file_type="tif")
    with Image.open(io.BytesIO(tif.data)) as image:
        description = image.tag_v2[270]
    assert description.isascii() and description.isprintable()


def test_the_caller_s_zone_or_utc_and_the_modem_s_page_count(
    g4_fax: tuple[list[Page], bytes],
) -> None:
    from dataclasses import replace

    unknown = replace(RECEPTION, time_zone="Mars/Olympus", pages=0)
    files = received_files(g4_fax[1], unknown, add_metadata=True)
    root = ET.fromstring(files[-1].data)
    assert root.findtext("f:timeZone", namespaces=NS) == "UTC"
    assert root.findtext("f:receivedStart", namespaces=NS) == "2026-12-06T14:30:05+00:00"
    assert root.findtext("f:pages", namespaces=NS) == "3"


def test_damaged_faxes_are_refused_or_delivered_never_a_crash(
    g4_fax: tuple[list[Page], bytes],
) -> None:
    """Bytes of a received fax changed at random (headers and coded data alike): each one is
    delivered or refused with a reason, and no worker crashes or overruns."""
    import random

    tiff = g4_fax[1]
    rng = random.Random(26)
    outcomes = {"delivered": 0, "refused": 0}
    for _attempt in range(24):
        damaged = bytearray(tiff)
        for _change in range(rng.choice((1, 4, 32))):
            position = rng.randrange(len(damaged))
            if rng.random() < 0.5:
                position = rng.randrange(min(len(damaged), 400))  # the first directory
                position = len(damaged) - 1 - position  # libtiff writes it at the end
            damaged[position] = rng.randrange(256)
        try:
            files = received_files(bytes(damaged), RECEPTION)
        except ValidationFailed as exc:
            assert exc.code in ("fax_image_unreadable", "fax_image_too_large"), exc.code
            outcomes["refused"] += 1
        else:
            assert files[0].data.startswith(b"%PDF-")
            outcomes["delivered"] += 1
    assert outcomes["refused"] > 0, outcomes


@given(
    text=st.text(max_size=40),
    number=st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)
@settings(max_examples=150, deadline=None)
def test_metadata_xml_is_well_formed_for_any_text(text: str, number: str) -> None:
    reception = Reception(fax_id=number, remote_csid=text, caller_number=text, result_text=text)
    root = ET.fromstring(metadata_xml(reception, [DeliveredFile(text, "application/pdf", b"")]))

    def keeps(c: str) -> bool:
        surrogate = 0xD800 <= ord(c) <= 0xDFFF
        return c in "\t\n" or (c >= " " and c not in "\x7f\ufffe\uffff" and not surrogate)

    kept = "".join(c if keeps(c) else "\ufffd" for c in text)
    assert root.findtext("f:remoteCsid", namespaces=NS) == kept
    assert root.find("f:files/f:file", NS).get("name") == kept  # type: ignore[union-attr]
    assert root.get("id") is not None
