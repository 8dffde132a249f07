"""faxing's side of the sandbox PSTN: the directory of numbers in service, what remote
machines received (kept encrypted, read back pixel for pixel), `faxline fax call`, and the
operators-only API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.vault import vault_read
from faxline.documents.faximage import Resolution, convert_to_fax
from faxline.faxing.models import InboundFax, SandboxRemoteFax
from faxline.faxing.sandbox.wiring import number_directory
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from telephony.fax_calls import STANDARD, make_tiff, pages_of

from cast import Cast

ON_NET = "+12125551234"
PENDING = "+12125551235"
REMOTE = "+16175559876"
CALLER = "+13125550000"


#: What each page of the 3-page PDF says (read back by OCR from what the far end received).
PDF_WORDS = ("Quarterly invoice", "Remittance advice", "Terms and conditions")


def three_page_pdf(path: Path) -> Path:
    """A 3-page Letter PDF of 11-point text, as a sender's word processor would make it."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    for number, title in enumerate(PDF_WORDS, start=1):
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(72, 700, title)
        pdf.setFont("Helvetica", 11)
        for line in range(30):
            pdf.drawString(72, 660 - 18 * line, f"Page {number} line {line + 1}: please fax back.")
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-documents")
    return {
        "fine": make_tiff(folder / "three-pages.tif"),
        "standard": make_tiff(folder / "standard.tif", dpi=STANDARD, pages=1),
        "pdf": three_page_pdf(folder / "three-pages.pdf"),
    }


def converted_pages(path: Path, tmp_path: Path, resolution: str = "fine") -> list:
    """The pages the converter makes of ``path``: what `faxline fax call` sends."""
    image = convert_to_fax(path.read_bytes(), filename=path.name, resolution=Resolution(resolution))
    sent = tmp_path / "sent.tif"
    sent.write_bytes(image.tiff)
    return pages_of(sent)


def ocr(tiff: bytes, tmp_path: Path, page: int = 0) -> str:
    """Tesseract's reading of one page of a received fax."""
    import subprocess

    with Image.open(io.BytesIO(tiff)) as image:
        image.seek(page)
        png = tmp_path / f"page-{page}.png"
        image.convert("L").save(png)
    done = subprocess.run(
        ["tesseract", str(png), "-", "--psm", "4"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def numbers(cast: Cast) -> None:
    for number, status in ((ON_NET, NumberStatus.IN_SERVICE), (PENDING, NumberStatus.PENDING)):
        FaxNumber.objects.create(
            number=number,
            country="US",
            area_code=number[2:5],
            source=NumberSource.SANDBOX,
            status=status,
            company=cast.company,
        )


def fax_call(*args: str) -> dict:
    out = io.StringIO()
    call_command("fax", "call", *args, stdout=out, verbosity=0)
    return json.loads(out.getvalue())


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.usefixtures("numbers")
def test_the_directory_knows_the_numbers_in_service() -> None:
    assert number_directory(ON_NET)
    assert not number_directory(PENDING)
    assert not number_directory(REMOTE)


@pytest.mark.usefixtures("numbers")
def test_fax_call_to_an_on_net_number(documents: dict[str, Path]) -> None:
    data = fax_call("--from", CALLER, "--to", ON_NET, str(documents["fine"]))
    assert data["outcome"]["name"] == "Sent" and data["outcome"]["t30_code"] == 0
    assert data["fax"]["pages"] == 3 and data["document"]["pages"] == 3
    assert data["far_end"] == data["far_end"] | {
        "route": "on-net",
        "received_pages": 3,
        "delivered": "inbound",
    }
    assert not SandboxRemoteFax.objects.exists()


@pytest.mark.usefixtures("numbers")
def test_fax_call_sends_a_three_page_pdf_on_net_pixel_for_pixel(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    """The issue's first check: a 3-page PDF, converted and faxed on-net, arrives as the same
    3 pages, pixel for pixel, and its words can still be read."""
    data = fax_call("--from", CALLER, "--to", ON_NET, str(documents["pdf"]))
    assert data["outcome"]["name"] == "Sent" and data["outcome"]["t30_code"] == 0
    assert data["document"] | {"kind": "pdf", "pages": 3} == data["document"]
    assert data["fax"]["pages"] == 3 and data["far_end"]["received_pages"] == 3
    # The on-net fax is kept as a received fax of the number's company, its image encrypted.
    held = InboundFax.objects.get(pk=data["far_end"]["stored"])
    assert (held.from_number, held.to_number, held.pages) == (CALLER, ON_NET, 3)
    plain = vault_read(held.vault_name)
    assert held.sha256 == data["far_end"]["sha256"]
    received = tmp_path / "received.tif"
    received.write_bytes(plain)
    assert pages_of(received) == converted_pages(documents["pdf"], tmp_path)
    assert "Remittance advice" in ocr(plain, tmp_path, page=1)


@pytest.mark.django_db
def test_fax_call_sends_a_three_page_pdf_to_a_remote_machine(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    """The same PDF to a simulated remote machine: kept, 3 pages, identical, readable."""
    data = fax_call("--from", CALLER, "--to", REMOTE, "--header", str(documents["pdf"]))
    assert data["outcome"]["name"] == "Sent" and data["fax"]["pages"] == 3
    [record] = SandboxRemoteFax.objects.all()
    assert record.pages == 3
    plain = vault_read(record.vault_name)
    text = ocr(plain, tmp_path, page=2)
    assert "Terms and conditions" in text
    assert "Page 3 of 3" in text  # the header line stamped by --header


@pytest.mark.django_db
def test_fax_call_to_a_remote_machine_is_kept_and_reads_back(documents: dict[str, Path]) -> None:
    data = fax_call("--from", CALLER, "--to", REMOTE, "--ident", "ACME FAX", str(documents["fine"]))
    assert data["outcome"]["name"] == "Sent"
    assert data["fax"]["pages"] == 3 and data["fax"]["bit_rate"] == 14400
    [record] = SandboxRemoteFax.objects.all()
    assert data["far_end"]["stored"] == record.pk
    assert (record.to_number, record.from_number, record.pages) == (REMOTE, CALLER, 3)
    assert record.remote_ident == "ACME FAX"
    assert record.result["completion_code"] == 0 and record.result["log"]
    plain = vault_read(record.vault_name)
    assert plain[:4] in (b"II*\x00", b"MM\x00*")
    assert data["far_end"]["sha256"] == record.sha256
    received = Path(documents["fine"]).with_name("read-back.tif")
    received.write_bytes(plain)
    assert pages_of(received) == pages_of(documents["fine"])


@pytest.mark.django_db
def test_fax_call_resolution_against_the_standard_only_machine(
    documents: dict[str, Path],
) -> None:
    fine = fax_call("--from", CALLER, "--to", "+12125550107", str(documents["fine"]))
    assert fine["outcome"]["name"] == "Negotiation Failed"
    assert fine["outcome"]["t30_code"] == 11
    standard = fax_call(
        "--from",
        CALLER,
        "--to",
        "+12125550107",
        "--resolution",
        "standard",
        str(documents["fine"]),
    )
    assert standard["outcome"]["name"] == "Sent"
    assert standard["fax"]["y_resolution"] == 98 and standard["fax"]["pages"] == 3


@pytest.mark.django_db
def test_fax_call_refuses_invalid_numbers_and_files(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="--to: '555' is not a valid fax number"):
        fax_call("--from", CALLER, "--to", "555", str(documents["fine"]))
    with pytest.raises(CommandError, match="--from: "):
        fax_call("--from", "nobody", "--to", REMOTE, str(documents["fine"]))
    garbage = tmp_path / "letter.pdf"
    garbage.write_bytes(b"\x00\x01binary nobody can read" * 40)
    with pytest.raises(CommandError, match="Invalid Attachment"):
        fax_call("--from", CALLER, "--to", REMOTE, str(garbage))
    with pytest.raises(CommandError, match="no such file"):
        fax_call("--from", CALLER, "--to", REMOTE, str(tmp_path / "missing.tif"))
    assert not SandboxRemoteFax.objects.exists()


@pytest.mark.processes
@pytest.mark.database_independent  # the command runs on a SQLite install of its own
def test_the_cli_prints_json_with_three_pages_end_to_end(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    """`faxline fax call` as a newcomer runs it: a process, its own SQLite install."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "FAXLINE_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("DATABASE_URL", None)
    faxline = [sys.executable, "-m", "faxline.cli"]
    subprocess.run([*faxline, "migrate", "-v0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*faxline, "fax", "call", "--from", CALLER, "--to", REMOTE, str(documents["fine"])],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    data = json.loads(done.stdout)
    assert data["outcome"]["name"] == "Sent" and data["fax"]["pages"] == 3
    assert "fax_tones" in done.stderr and "hung_up" in done.stderr


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def received(documents: dict[str, Path]) -> SandboxRemoteFax:
    fax_call("--from", CALLER, "--to", REMOTE, str(documents["fine"]))
    return SandboxRemoteFax.objects.get()


def test_operators_list_and_read_received_faxes(cast: Cast, received: SandboxRemoteFax) -> None:
    operator = client_for(cast.operator)
    body = operator.get("/api/v1/sandbox/remote-faxes").json()
    assert body["count"] == 1
    assert (
        body["items"][0] | {"id": received.pk, "to_number": REMOTE, "pages": 3} == body["items"][0]
    )
    assert operator.get(f"/api/v1/sandbox/remote-faxes?to={CALLER}").json()["count"] == 0
    detail = operator.get(f"/api/v1/sandbox/remote-faxes/{received.pk}").json()
    assert detail["result"]["pages"] == 3 and len(detail["page_urls"]) == 3
    page = operator.get(detail["page_urls"][1])
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(page.content)) as image:
        assert image.format == "PNG" and image.size == (1728, 2200)


def test_the_api_edges(cast: Cast, received: SandboxRemoteFax) -> None:
    operator = client_for(cast.operator)
    base = "/api/v1/sandbox/remote-faxes"
    assert operator.get(f"{base}/{received.pk + 1000}").status_code == 404
    for page in (0, 4):
        response = operator.get(f"{base}/{received.pk}/pages/{page}.png")
        assert response.status_code == 404 and response.json()["field"] == "page"
    assert operator.get(f"{base}?limit=0").status_code == 422
    for user in (cast.company_admin, cast.sales_user, cast.outsider_admin):
        for url in (base, f"{base}/{received.pk}", f"{base}/{received.pk}/pages/1.png"):
            response = client_for(user).get(url)
            assert response.status_code == 403, url
            assert response.json()["code"] == "operators_only"
    assert Client().get(base).status_code == 401


def test_the_portal_page_is_for_operators_only(cast: Cast, received: SandboxRemoteFax) -> None:
    from cast import PASSWORD

    operator = Client()
    operator.login(username=cast.operator.username, password=PASSWORD)
    page = operator.get("/settings/sandbox-pstn/")
    assert page.status_code == 200
    assert b"Sandbox PSTN" in page.content and REMOTE.encode() in page.content
    assert b"NXX-555-0100" in page.content
    detail = operator.get(f"/settings/sandbox-pstn/{received.pk}/")
    assert detail.status_code == 200 and b"Page 3 of 3" in detail.content
    image = operator.get(f"/settings/sandbox-pstn/{received.pk}/pages/1.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    admin = Client()
    admin.login(username=cast.company_admin.username, password=PASSWORD)
    for url in (
        "/settings/sandbox-pstn/",
        f"/settings/sandbox-pstn/{received.pk}/",
        f"/settings/sandbox-pstn/{received.pk}/pages/1.png",
    ):
        assert admin.get(url).status_code == 404


def test_help_documents_the_test_numbers(cast: Cast) -> None:
    from cast import PASSWORD

    user = Client()
    user.login(username=cast.sales_user.username, password=PASSWORD)
    html = user.get("/help/").content.decode()
    assert "Sandbox PSTN: test numbers" in html
    assert "555-0100" in html and "Busy" in html and "555-0111" in html


def _records(count: int) -> None:
    from django.utils import timezone

    from faxline.core.vault import vault_store

    stored = vault_store(b"II*\x00not read by the list", purpose="sandbox-fax")
    SandboxRemoteFax.objects.bulk_create(
        SandboxRemoteFax(
            to_number=REMOTE,
            from_number=CALLER,
            received_at=timezone.now(),
            pages=1,
            completion_code=0,
            vault_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            result={"log": ["x"] * 100},
        )
        for _ in range(count)
    )


def test_the_lists_cost_the_same_queries_for_3_rows_and_for_60(
    cast: Cast,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cast import PASSWORD

    operator = client_for(cast.operator)
    portal = Client()
    portal.login(username=cast.operator.username, password=PASSWORD)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api:
            assert operator.get("/api/v1/sandbox/remote-faxes?limit=100").status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert portal.get("/settings/sandbox-pstn/?rows=100").status_code == 200
        return len(api), len(page)

    _records(3)
    cost()  # the first requests also record the key's and the session's use
    few = cost()
    _records(57)
    assert cost() == few
    body = operator.get("/api/v1/sandbox/remote-faxes?limit=25&offset=50").json()
    assert body["count"] == 60 and len(body["items"]) == 10
