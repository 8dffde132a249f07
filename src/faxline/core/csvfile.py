"""Uploaded CSV files: decoded with one set of checks and one way of naming columns."""

from __future__ import annotations

import re

from faxline.core.errors import ValidationFailed


def decode_csv(data: bytes, *, max_bytes: int) -> str:
    """The text of an uploaded CSV file; refuses empty, huge, binary and non-UTF-8 files
    (a UTF-8 byte order mark is accepted)."""
    if not data:
        raise ValidationFailed("The file is empty.", field="file", code="file_empty")
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than {max_bytes // 1024} KiB; split it into smaller files.",
            field="file",
            code="file_too_large",
        )
    if b"\x00" in data:
        raise ValidationFailed(
            "The file is not a CSV text file (it contains binary data).",
            field="file",
            code="file_not_text",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again.",
            field="file",
            code="file_not_utf8",
        ) from exc
    if not text.strip():
        raise ValidationFailed("The file is empty.", field="file", code="file_empty")
    return text


def column_name(raw: str) -> str:
    """A header cell as a column name: ``" First Name"`` → ``first_name``."""
    return re.sub(r"[\s-]+", "_", raw.strip().lower())
