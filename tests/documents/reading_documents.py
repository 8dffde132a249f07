"""Born-digital bills and CSRs drawn with reportlab for the reading tests (issue 14): rows
of text placed by position, in the fonts word processors and CSR dumps use."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

Rows = list[tuple[float, float, str, str, float]]  # x, y from the top, text, font, size


def make_pdf(*pages: Rows, encrypt: str | None = None) -> bytes:
    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=letter, encrypt=encrypt)
    height = letter[1]
    for rows in pages:
        for x, y, text, font, size in rows:
            doc.setFont(font, size)
            doc.drawString(x, height - y, text)
        doc.showPage()
    doc.save()
    return out.getvalue()


def helv(x: float, y: float, text: str, size: float = 10, bold: bool = False) -> Any:
    return (x, y, text, "Helvetica-Bold" if bold else "Helvetica", size)


def mono(y: float, text: str) -> Any:
    return (40, y, text, "Courier", 9)


# A born-digital bill made the way word processors make them: labels left, values right;
# the address and the numbers continue on the lines below (the reading and porting tests).
METRO_BILL = [
    helv(72, 60, "Metro Telephone Company", 18, bold=True),
    helv(72, 84, "Monthly Statement", 12),
    helv(72, 130, "Account Name:", bold=True),
    helv(200, 130, "Acme Plumbing LLC"),
    helv(72, 146, "Account Number:", bold=True),
    helv(200, 146, "8840-2231-77"),
    helv(72, 162, "Billing Telephone No.:", bold=True),
    helv(200, 162, "(212) 555-0143"),
    helv(72, 178, "Service Address:", bold=True),
    helv(200, 178, "125 West 31st Street, Suite 400"),
    helv(200, 192, "New York, NY 10001"),
    helv(72, 208, "Statement Date:", bold=True),
    helv(200, 208, "March 1, 2026"),
    helv(72, 224, "Telephone Numbers:", bold=True),
    helv(200, 224, "(212) 555-0143, (212) 555-0144"),
    helv(200, 238, "212-555-0145"),
    helv(72, 280, "Amount Due", 12, bold=True),
    helv(200, 280, "$123.45", 12),
    helv(72, 300, "Questions? Call customer service at 1-800-555-0199."),
]


def port_bill_pdf(
    *,
    name: str = "Acme Corp",
    account: str = "ACCT-998877",
    btn: str = "(206) 234-5678",
    date: str = "December 1, 2026",
    street: str = "1313 Mockingbird Lane, Suite 15",
    numbers: str = "(206) 234-5678",
) -> bytes:
    """A born-digital bill of the request of ``tests/porting/porting_support.request_data``."""
    return make_pdf(
        [
            helv(72, 60, "Old Telco", 18, bold=True),
            helv(72, 84, "Monthly Statement", 12),
            helv(72, 130, "Account Name:", bold=True),
            helv(200, 130, name),
            helv(72, 146, "Account Number:", bold=True),
            helv(200, 146, account),
            helv(72, 162, "Billing Telephone No.:", bold=True),
            helv(200, 162, btn),
            helv(72, 178, "Service Address:", bold=True),
            helv(200, 178, street),
            helv(200, 192, "Seattle, WA 98101"),
            helv(72, 208, "Statement Date:", bold=True),
            helv(200, 208, date),
            helv(72, 224, "Telephone Numbers:", bold=True),
            helv(200, 224, numbers),
            helv(72, 280, "Amount Due", 12, bold=True),
            helv(200, 280, "$123.45", 12),
        ]
    )


def port_csr_pdf(*, account: str = "ACCT-998877", features: str = "HUNT GROUP") -> bytes:
    """A born-digital CSR of the request of ``tests/porting/porting_support.request_data``."""
    return make_pdf(
        [
            (40, 40, "CUSTOMER SERVICE RECORD                 PAGE 1", "Courier", 9),
            (40, 64, f"ACCT NO: {account}     BTN: 206 234 5678", "Courier", 9),
            (40, 76, "NAME: ACME CORP", "Courier", 9),
            (40, 88, "SVC ADDR: 1313 MOCKINGBIRD LN STE 15", "Courier", 9),
            (40, 100, "         SEATTLE WA 98101", "Courier", 9),
            (40, 124, "AUTHORIZED NAME: CAROL CHIEF", "Courier", 9),
            (40, 148, "TN: 206 234 5678", "Courier", 9),
            (40, 160, "    206 234 5679", "Courier", 9),
            (40, 184, f"FEATURES: {features}", "Courier", 9),
        ]
    )
