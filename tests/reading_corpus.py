"""A corpus of bills and CSRs with their expected facts, for the reading tests and the
accuracy benchmark (issue 14, "Measured": ``bench/reading.py``).

Each layout is drawn by position the way a carrier's billing system, a word processor or a
CSR dump lays it out (label left of the value, above it, two columns of labels, a table, an
upper-case Courier dump, a letterhead with a remittance stub, a multi-page bill whose facts
are on page 2, a Canadian address), with the carriers' different wordings of each label.
The values (customer, address, numbers, account number, date format) are drawn from small
pools by a seeded random generator, so a seed always gives the same documents.

Each document comes in three kinds: ``born_digital`` (the reportlab PDF, a text layer),
``scanned`` (rasterised at 200 to 300 dpi, turned 1 to 2 degrees, with specks of dust, saved
as an image-only PDF) and ``faxed`` (a fine-mode fax: 204 x 196 dpi, one bit a pixel, Group
4 in a TIFF). The truth is the facts exactly as ``Extraction.as_json()["facts"]`` gives
them: numbers E.164, dates ISO, names and addresses as printed.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("born_digital", "scanned", "faxed")
PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US letter, points

# One drawn string: x, y from the top (baseline), text, font, size.
Row = tuple[float, float, str, str, float]


@dataclass(frozen=True)
class Customer:
    name: str
    street: str
    unit: str | None
    city: str
    state: str
    postal_code: str
    area: str  # the area code of the customer's numbers


US_CUSTOMERS = (
    Customer(
        "Acme Plumbing LLC", "125 West 31st Street", "Suite 400", "New York", "NY", "10001",
        "212",
    ),
    Customer("Harbor Dental Group", "77 Ocean Ave", None, "Long Branch", "NJ", "07740", "732"),
    Customer(
        "Riverside Veterinary Clinic", "4410 Elm Street", "Unit 12", "Dallas", "TX", "75201",
        "214",
    ),
    Customer("Blue Heron Books", "908 Market St", "Floor 3", "San Francisco", "CA", "94103", "415"),
    Customer("Summit Legal Partners", "31 Congress Street", None, "Boston", "MA", "02109", "617"),
)  # fmt: skip
CA_CUSTOMERS = (
    Customer(
        "Maple Leaf Dental Clinic", "350 Bay Street", "Suite 700", "Toronto", "ON", "M5H 2S6",
        "416",
    ),
    Customer(
        "Coastal Kayak Tours Ltd", "1055 West Georgia Street", "Suite 1500", "Vancouver", "BC",
        "V6E 3P3", "604",
    ),
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Values:
    """The facts one document states, drawn from the pools by the layout's generator."""

    customer: Customer
    account_number: str
    btn: str  # ten digits
    numbers: tuple[str, ...]  # ten digits each, the BTN first
    year: int
    month: int
    day: int
    authorized: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One document of the corpus: its bytes, how many pages, and the facts it states."""

    layout: str
    kind: str
    filename: str
    data: bytes
    pages: int
    truth: dict[str, Any]
    document_type: str


# --- values and how they are printed -----------------------------------------------------


def _values(rng: random.Random, customers: Sequence[Customer], lines: int = 3) -> Values:
    customer = rng.choice(customers)
    first = rng.randrange(100, 190)
    numbers = tuple(f"{customer.area}555{first + i:04d}" for i in range(lines))
    form = rng.randrange(4)
    digits = [rng.randrange(10) for _ in range(10)]
    d = "".join(map(str, digits))
    account = (
        f"{d[:4]}-{d[4:8]}-{d[8:]}",
        f"{d[:2]}-{d[2:9]}-{d[9]}",
        f"{rng.randrange(1, 10)}{d[1:9]}",
        f"A{d[:8]}",
    )[form]
    names = rng.sample(["Jane Doe", "Raj Patel", "Maria Gomez", "Tom Chen", "Li Wei"], 2)
    return Values(
        customer=customer,
        account_number=account,
        btn=numbers[0],
        numbers=numbers,
        year=2026,
        month=rng.randrange(1, 13),
        day=rng.randrange(1, 29),
        authorized=tuple(names),
    )


def _e164(digits: str) -> str:
    return f"+1{digits}"


def _paren(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _dashed(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _spaced(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _iso(v: Values) -> str:
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


def _long_date(v: Values) -> str:
    return f"{MONTHS[v.month - 1]} {v.day}, {v.year}"


def _short_date(v: Values) -> str:
    return f"{MONTHS[v.month - 1][:3]} {v.day}, {v.year}"


def _us_date(v: Values) -> str:
    return f"{v.month:02d}/{v.day:02d}/{v.year}"


def _dmy_upper(v: Values) -> str:
    return f"{v.day:02d}-{MONTHS[v.month - 1][:3].upper()}-{v.year}"


def _address(c: Customer, upper: bool = False) -> dict[str, str | None]:
    address = {
        "street": c.street,
        "unit": c.unit,
        "city": c.city,
        "state": c.state,
        "postal_code": c.postal_code,
    }
    if upper:
        return {k: (v.upper() if v else v) for k, v in address.items()}
    return address


def _street_line(c: Customer) -> str:
    return f"{c.street}, {c.unit}" if c.unit else c.street


def _city_line(c: Customer) -> str:
    return f"{c.city}, {c.state} {c.postal_code}"


def _truth(
    v: Values,
    *,
    name: str | None = None,
    address: dict[str, str | None] | None = None,
    btn: bool = True,
    account: bool = True,
    date: bool = True,
    numbers: Sequence[str] = (),
    authorized: Sequence[str] = (),
    features: Sequence[str] = (),
) -> dict[str, Any]:
    """The facts as ``as_json()`` gives them: ``numbers`` is the BTN then those listed."""
    listed = [_e164(v.btn)] if btn else []
    for number in numbers:
        if _e164(number) not in listed:
            listed.append(_e164(number))
    return {
        "account_name": name,
        "service_address": address,
        "btn": _e164(v.btn) if btn else None,
        "account_number": v.account_number if account else None,
        "statement_date": _iso(v) if date else None,
        "numbers": listed,
        "authorized_names": list(authorized),
        "line_features": list(features),
    }


# --- drawing helpers ---------------------------------------------------------------------


def helv(x: float, y: float, text: str, size: float = 10, bold: bool = False) -> Row:
    return (x, y, text, "Helvetica-Bold" if bold else "Helvetica", size)


def times(x: float, y: float, text: str, size: float = 11, bold: bool = False) -> Row:
    return (x, y, text, "Times-Bold" if bold else "Times-Roman", size)


def mono(y: float, text: str, x: float = 40) -> Row:
    return (x, y, text, "Courier", 9)


Rules = list[tuple[float, float, float, float]]  # x0, y0, x1, y1 from the top


def _pdf(pages: Sequence[tuple[Sequence[Row], Rules]]) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=letter, invariant=1)
    for rows, rules in pages:
        doc.setLineWidth(0.6)
        for x0, y0, x1, y1 in rules:
            doc.line(x0, PAGE_HEIGHT - y0, x1, PAGE_HEIGHT - y1)
        for x, y, text, font, size in rows:
            doc.setFont(font, size)
            doc.drawString(x, PAGE_HEIGHT - y, text)
        doc.showPage()
    doc.save()
    return out.getvalue()


# --- the layouts -------------------------------------------------------------------------

Drawn = tuple[list[tuple[list[Row], Rules]], dict[str, Any], str]


def label_left(rng: random.Random) -> Drawn:
    """A word-processor bill: bold labels with a colon, values in a column to their right;
    the address and the numbers continue on the lines below."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    rows = [
        helv(72, 60, "Metro Telephone Company", 18, bold=True),
        helv(72, 84, "Monthly Statement", 12),
        helv(72, 130, "Account Name:", bold=True),
        helv(210, 130, c.name),
        helv(72, 146, "Account Number:", bold=True),
        helv(210, 146, v.account_number),
        helv(72, 162, "Billing Telephone No.:", bold=True),
        helv(210, 162, _paren(v.btn)),
        helv(72, 178, "Service Address:", bold=True),
        helv(210, 178, _street_line(c)),
        helv(210, 192, _city_line(c)),
        helv(72, 208, "Statement Date:", bold=True),
        helv(210, 208, _long_date(v)),
        helv(72, 224, "Telephone Numbers:", bold=True),
        helv(210, 224, f"{_paren(v.numbers[0])}, {_paren(v.numbers[1])}"),
        helv(210, 238, _dashed(v.numbers[2])),
        helv(72, 290, "Amount Due", 12, bold=True),
        helv(210, 290, "$123.45", 12),
        helv(72, 310, "Questions? Call customer service at 1-800-555-0199."),
    ]
    truth = _truth(v, name=c.name, address=_address(c), numbers=v.numbers)
    return [(rows, [])], truth, "bill"


def label_above(rng: random.Random) -> Drawn:
    """Small bold labels above their values, three in a row; the name and the address as
    blocks under their label."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    rows = [
        helv(60, 50, "NORTHERN BELL", 16, bold=True),
        helv(60, 68, "Your monthly statement", 10),
        helv(60, 110, "Bill Date", 9, bold=True),
        helv(220, 110, "Acct No.", 9, bold=True),
        helv(380, 110, "BTN", 9, bold=True),
        helv(60, 124, _us_date(v), 11),
        helv(220, 124, v.account_number, 11),
        helv(380, 124, _spaced(v.btn), 11),
        helv(60, 160, "Customer Name", 9, bold=True),
        helv(60, 174, c.name, 11),
        helv(60, 210, "Service Location", 9, bold=True),
        helv(60, 224, c.street, 11),
    ]
    y = 238.0
    if c.unit:
        rows.append(helv(60, y, c.unit, 11))
        y += 14
    rows.append(helv(60, y, _city_line(c), 11))
    rows += [
        helv(60, 320, "Total Amount Due", 11, bold=True),
        helv(380, 320, "$88.00", 11),
    ]
    truth = _truth(v, name=c.name, address=_address(c))
    return [(rows, [])], truth, "bill"


def two_column(rng: random.Random) -> Drawn:
    """Two columns of label and value side by side: the customer on the left, the account
    on the right (as invoicing software prints a header)."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    rows = [
        helv(50, 50, "CityLink Communications", 16, bold=True),
        helv(50, 68, "Invoice", 11),
        helv(50, 120, "Bill To:", 9, bold=True),
        helv(136, 120, c.name, 9),
        helv(320, 120, "Account #:", 9, bold=True),
        helv(452, 120, v.account_number, 9),
        helv(50, 134, "Service Location:", 9, bold=True),
        helv(136, 134, _street_line(c), 9),
        helv(320, 134, "Statement Date:", 9, bold=True),
        helv(452, 134, _iso(v), 9),
        helv(136, 148, _city_line(c), 9),
        helv(320, 148, "Billing Telephone Number:", 9, bold=True),
        helv(452, 148, _dashed(v.btn), 9),
        helv(50, 200, "Charges", 11, bold=True),
        helv(50, 216, "Monthly service", 9),
        helv(452, 216, "$54.20", 9),
        helv(50, 230, "Taxes and surcharges", 9),
        helv(452, 230, "$7.81", 9),
        helv(50, 250, "Balance Due", 10, bold=True),
        helv(452, 250, "$62.01", 10, bold=True),
    ]
    truth = _truth(v, name=c.name, address=_address(c))
    return [(rows, [])], truth, "bill"


def table(rng: random.Random) -> Drawn:
    """A summary table (header cells over value cells, ruled) and a table of the lines with
    their features."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    features = ("Hunt Group", "Remote Call Fwd", "Call Waiting")
    cols = (50, 200, 350, 480)
    rows = [
        helv(50, 50, "Pacific Telecom", 16, bold=True),
        helv(50, 90, "Customer Name:", 9, bold=True),
        helv(140, 90, c.name, 9),
        helv(50, 104, "Service Address:", 9, bold=True),
        helv(140, 104, f"{_street_line(c)}, {_city_line(c)}", 9),
        helv(cols[0] + 4, 140, "ACCOUNT NUMBER", 8, bold=True),
        helv(cols[1] + 4, 140, "BILLING TELEPHONE NO.", 8, bold=True),
        helv(cols[2] + 4, 140, "BILL DATE", 8, bold=True),
        helv(cols[3] + 4, 140, "AMOUNT DUE", 8, bold=True),
        helv(cols[0] + 4, 156, v.account_number, 9),
        helv(cols[1] + 4, 156, _paren(v.btn), 9),
        helv(cols[2] + 4, 156, _short_date(v), 9),
        helv(cols[3] + 4, 156, "$241.17", 9),
        helv(cols[0] + 4, 200, "Telephone Numbers", 8, bold=True),
        helv(cols[1] + 4, 200, "Service", 8, bold=True),
        helv(cols[2] + 4, 200, "Features", 8, bold=True),
    ]
    rules: Rules = [(46, 130, 566, 130), (46, 144, 566, 144), (46, 161, 566, 161)]
    rules += [(x - 4, 130, x - 4, 161) for x in cols] + [(566, 130, 566, 161)]
    rules += [(46, 190, 566, 190), (46, 204, 566, 204)]
    y = 218.0
    for number, feature in zip(v.numbers, features, strict=True):
        rows += [
            helv(cols[0] + 4, y, _dashed(number), 9),
            helv(cols[1] + 4, y, "Business line", 9),
            helv(cols[2] + 4, y, feature, 9),
        ]
        y += 13
    rules.append((46, y - 6, 566, y - 6))
    truth = _truth(
        v,
        name=c.name,
        address=_address(c),
        numbers=v.numbers,
        features=("hunt_group", "remote_call_forwarding"),
    )
    return [(rows, rules)], truth, "bill"


def csr_dump(rng: random.Random) -> Drawn:
    """A Customer Service Record as the losing carrier's system prints it: upper case,
    Courier, abbreviations, several facts a line."""
    v = _values(rng, US_CUSTOMERS, lines=4)
    c = v.customer
    up = c.name.upper()
    street = f"{c.street} {c.unit}".upper() if c.unit else c.street.upper()
    rows = [
        mono(40, "CUSTOMER SERVICE RECORD"),
        mono(40, "PAGE 1 OF 1", 460),
        mono(62, "ACCT NO: " + v.account_number),
        mono(62, "BTN: " + _spaced(v.btn), 300),
        mono(76, "CUSTOMER NAME: " + up),
        mono(90, f"SVC ADDR: {street}, {c.city.upper()}, {c.state} {c.postal_code}"),
        mono(118, "WTN LISTING"),
        mono(132, "TN: " + " ".join(_dashed(n) for n in v.numbers[:2])),
        mono(146, " ".join(_dashed(n) for n in v.numbers[2:]), 40 + 9 * 0.6 * 4),
        mono(174, "FEATURES: HUNT GROUP, RCF, CALLER ID"),
        mono(188, "AUTH NAME: " + "; ".join(n.upper() for n in v.authorized)),
        mono(216, "PIC: 0288   LPIC: 0288   FREEZE: N"),
    ]
    address = _address(c, upper=True)
    if c.unit:
        address["unit"] = c.unit.upper()
    truth = _truth(
        v,
        name=up,
        address=address,
        date=False,
        numbers=v.numbers,
        authorized=[n.upper() for n in v.authorized],
        features=("hunt_group", "remote_call_forwarding"),
    )
    return [(rows, [])], truth, "csr"


def letterhead_stub(rng: random.Random) -> Drawn:
    """A letterhead (the carrier's own address and numbers), the customer's facts, and a
    remittance stub at the foot that repeats the account number beside the remit-to
    address."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    rows = [
        times(200, 40, "LONESTAR TELEPHONE", 18, bold=True),
        times(200, 56, "PO Box 4400, Austin, TX 78701  |  Customer Care 1-800-555-0142", 9),
        times(60, 120, "Account Name:", bold=True),
        times(190, 120, c.name),
        times(60, 136, "Account Number:", bold=True),
        times(190, 136, v.account_number),
        times(60, 152, "Main Number:", bold=True),
        times(190, 152, _paren(v.btn)),
        times(60, 168, "Bill Date:", bold=True),
        times(190, 168, _long_date(v)),
        times(60, 184, "Service Address:", bold=True),
        times(190, 184, _street_line(c)),
        times(190, 198, _city_line(c)),
        times(60, 250, "Current charges", bold=True),
        times(420, 250, "$312.40"),
        times(60, 266, "Please pay by the due date to avoid a late fee."),
        times(60, 620, "Please detach and return this portion with your payment.", 8),
        times(60, 646, "Account Number", 9, bold=True),
        times(200, 646, "Amount Due", 9, bold=True),
        times(340, 646, "Amount Enclosed", 9, bold=True),
        times(60, 660, v.account_number, 10),
        times(200, 660, "$312.40", 10),
        times(340, 660, "$ ____________", 10),
        times(60, 700, "Remit to:", 9, bold=True),
        times(60, 714, "Lonestar Telephone, PO Box 660011, Dallas, TX 75266", 9),
    ]
    rules: Rules = [(40, 610, 572, 610)]
    truth = _truth(v, name=c.name, address=_address(c))
    return [(rows, rules)], truth, "bill"


def multi_page(rng: random.Random) -> Drawn:
    """A two-page bill: a summary page with no account facts, the details on page 2."""
    v = _values(rng, US_CUSTOMERS)
    c = v.customer
    first = [
        helv(60, 50, "Keystone Voice & Data", 18, bold=True),
        helv(60, 80, "Your statement at a glance", 13),
        helv(60, 120, "Previous balance"),
        helv(400, 120, "$150.00"),
        helv(60, 136, "Payment received - thank you"),
        helv(400, 136, "-$150.00"),
        helv(60, 152, "New charges"),
        helv(400, 152, "$152.33"),
        helv(60, 180, "Total due", 12, bold=True),
        helv(400, 180, "$152.33", 12, bold=True),
        helv(60, 240, "Save with autopay: call 1-888-555-0150 or visit our website."),
        helv(540, 760, "Page 1 of 2", 8),
    ]
    second = [
        helv(60, 50, "Account details", 14, bold=True),
        helv(60, 90, "Acct Number:", bold=True),
        helv(200, 90, v.account_number),
        helv(60, 106, "Company Name:", bold=True),
        helv(200, 106, c.name),
        helv(60, 122, "Billing Telephone Number:", bold=True),
        helv(200, 122, _dashed(v.btn)),
        helv(60, 138, "Statement Date:", bold=True),
        helv(200, 138, _us_date(v)),
        helv(60, 154, "Svc Address:", bold=True),
        helv(200, 154, f"{_street_line(c)}, {_city_line(c)}"),
        helv(60, 186, "Lines:", bold=True),
        helv(200, 186, ", ".join(_paren(n) for n in v.numbers)),
        helv(540, 760, "Page 2 of 2", 8),
    ]
    truth = _truth(v, name=c.name, address=_address(c), numbers=v.numbers)
    return [(first, []), (second, [])], truth, "bill"


def canadian(rng: random.Random) -> Drawn:
    """A Canadian bill: a province and a postal code, the date written day first."""
    v = _values(rng, CA_CUSTOMERS)
    c = v.customer
    rows = [
        helv(60, 50, "TrueNorth Telecom Inc.", 16, bold=True),
        helv(60, 68, "Statement / Relevé", 10),
        helv(60, 120, "Account Holder:", bold=True),
        helv(200, 120, c.name),
        helv(60, 136, "Account No.:", bold=True),
        helv(200, 136, v.account_number),
        helv(60, 152, "BTN:", bold=True),
        helv(200, 152, _dashed(v.btn)),
        helv(60, 168, "Bill Date:", bold=True),
        helv(200, 168, _dmy_upper(v)),
        helv(60, 184, "Service Address:", bold=True),
        helv(200, 184, _street_line(c)),
        helv(200, 198, _city_line(c)),
        helv(60, 240, "GST/HST Registration: 123456789 RT0001", 8),
        helv(60, 260, "Amount Due", 11, bold=True),
        helv(200, 260, "$97.18", 11),
    ]
    truth = _truth(v, name=c.name, address=_address(c))
    return [(rows, [])], truth, "bill"


LAYOUTS = {
    "label_left": label_left,
    "label_above": label_above,
    "two_column": two_column,
    "table": table,
    "csr_dump": csr_dump,
    "letterhead_stub": letterhead_stub,
    "multi_page": multi_page,
    "canadian": canadian,
}


# --- the kinds ---------------------------------------------------------------------------


def _render(pdf: bytes, dpi: float) -> list[Any]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [
            page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document
        ]
    finally:
        document.close()


def scanned(pdf: bytes, rng: random.Random) -> bytes:
    """The PDF as a scanner gives it: greyscale at 200 to 300 dpi, each page turned 1 to 2
    degrees either way, with dark specks on 0.2 % of the pixels; an image-only PDF."""
    from PIL import Image

    dpi = rng.choice((200, 240, 300))
    images = []
    for image in _render(pdf, dpi):
        skew = rng.uniform(1.0, 2.0) * rng.choice((-1, 1))
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        pixels = image.load()
        assert pixels is not None
        for _ in range(int(image.width * image.height * 0.002)):
            pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.randrange(128)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def faxed(pdf: bytes, rng: random.Random) -> bytes:
    """The PDF as a fax machine receives it: fed slightly crooked (under a degree), sampled
    at 204 x 196 dpi (1728 pixels wide), one bit a pixel, Group 4 in a TIFF."""
    from PIL import Image

    pages = []
    for image in _render(pdf, 300):
        skew = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        image = image.resize((1728, 2156), Image.Resampling.LANCZOS)
        pages.append(image.convert("1"))
    out = io.BytesIO()
    pages[0].save(
        out,
        "TIFF",
        compression="group4",
        dpi=(204, 196),
        save_all=True,
        append_images=pages[1:],
    )
    return out.getvalue()


def documents(
    seed: int = 14,
    kinds: Sequence[str] = KINDS,
    layouts: Sequence[str] | None = None,
) -> Iterator[Document]:
    """The corpus: every layout (all of :data:`LAYOUTS` unless named) in every kind, with
    its truth. The same seed gives the same documents, byte for byte for the born-digital
    ones (reportlab's invariant mode)."""
    for name in layouts if layouts is not None else LAYOUTS:
        rng = random.Random(f"{seed}:{name}")
        pages, truth, document_type = LAYOUTS[name](rng)
        pdf = _pdf(pages)
        for kind in kinds:
            kind_rng = random.Random(f"{seed}:{name}:{kind}")
            if kind == "born_digital":
                data, filename = pdf, f"{name}.pdf"
            elif kind == "scanned":
                data, filename = scanned(pdf, kind_rng), f"{name}-scan.pdf"
            elif kind == "faxed":
                data, filename = faxed(pdf, kind_rng), f"{name}-fax.tif"
            else:
                raise ValueError(f"unknown kind {kind!r}")
            yield Document(name, kind, filename, data, len(pages), truth, document_type)
