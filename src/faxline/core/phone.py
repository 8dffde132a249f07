"""What a fax number is: one rule for every part of faxline that takes one (a recipient, a
blocked number, a call's numbers)."""

from __future__ import annotations

from typing import Any

import phonenumbers

from faxline.core.errors import ValidationFailed

#: Longer input is refused before parsing: no telephone number is written with more.
MAX_NUMBER_CHARS = 40


def fax_number_e164(raw: Any, *, field: str = "number") -> str:
    """A fax number in any common spelling as E.164 (``+17329200193``): a North American
    number may be typed with 10 or 11 digits and any punctuation (``(732) 920-0193``,
    ``1-732-920-0193``), another country's with ``+`` or ``011``. Refuses what is not a
    valid telephone number, naming ``field`` (code ``invalid_fax_number``: the guide's
    "Invalid Fax Number")."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise ValidationFailed("Enter a fax number.", code="invalid_fax_number", field=field)
    if len(text) > MAX_NUMBER_CHARS:
        raise ValidationFailed(
            f"{text[:MAX_NUMBER_CHARS]!r}… is too long to be a fax number.",
            code="invalid_fax_number",
            field=field,
        )
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(
            f"{text!r} is not a fax number: give the full number with its area code "
            "(and +country code for international numbers), e.g. +1 212 555 0100.",
            code="invalid_fax_number",
            field=field,
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(
            f"{text!r} is not a valid fax number: check the area code and the number of "
            "digits (e.g. +1 212 555 0100).",
            code="invalid_fax_number",
            field=field,
        )
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
