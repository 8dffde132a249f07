"""Helpers of the onboarding tests: a brand-new customer, documents (good and hostile) and
what the vault holds."""

from __future__ import annotations

import io
from pathlib import Path

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.companies import company_create

from cast import PASSWORD


def vault_files(root: Path) -> list[Path]:
    return (
        [p for p in (root / "vault").rglob("*") if p.is_file()] if (root / "vault").exists() else []
    )


def new_customer(operator: User, name: str = "Initech", username: str = "ian") -> User:
    """A brand-new company with only its first administrator (all rights)."""
    op = Actor(user=operator)
    company = company_create(actor=op, name=name)
    return administrator_create(
        actor=op,
        company=company,
        department=None,
        first_name="Ian",
        last_name="Initial",
        email=f"{username}@{name.lower()}.example",
        username=username,
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user


# --- documents ------------------------------------------------------------------------


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (200, 100)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", size, color=255).save(out, format="PNG")
    return out.getvalue()


def bomb_png() -> bytes:
    """A real decompression bomb: a tiny file declaring 15000 x 15000 one-bit pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (15000, 15000), color=0).save(out, format="PNG", optimize=True)
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows executable."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 200
        + b"This program cannot be run in DOS mode."
    )


def broken_pdf() -> bytes:
    """Starts like a PDF, then garbage."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + b"\x00\xff" * 300
