"""The port request as the validator reads it: the same JSON in the API and the CLI.

The shape is the one of issue 4 and is part of the public contract (outside checks feed it to
``faxline porting validate``). It is strict: an unknown field anywhere is refused, strings are
never coerced from numbers, and dates are ISO ``YYYY-MM-DD`` strings only.

What the shape refuses is input the validator cannot read (the CLI exits 2, the API answers
422, both naming the field). What a customer can get wrong while filling in a request is left
to the engine, which reports it as a finding: that is why the billing telephone number,
the account number, the PIN, the authorized person and the three documents may be null or
absent, and why a blank postal code is accepted here (``POSTAL_CODE_INVALID``).

Optional (null or absent): ``btn``, ``new_btn``, ``account_number``, ``pin``,
``authorized_person`` (and its ``title``), ``loa``, ``bill``, ``csr``, an address's ``unit``,
the CSR's ``btn`` and ``account_number``, the bill's and the CSR's ``read`` (what faxline
read from the document's file, every fact of it optional); the lists ``shared_line_uses``,
``unconfirmed`` (the documents uploaded whose facts nobody has confirmed or typed yet), the
CSR's ``authorized_names``, ``numbers`` and ``line_features`` and the ``read``'s
``numbers``, ``authorized_names`` and ``line_features`` default to empty.
Everything else is required, and required text may not be blank.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from faxline.porting.validation.normalize import state_code

__all__ = [
    "LINE_FEATURES",
    "LINE_TYPES",
    "SHARED_LINE_USES",
    "PortAddressIn",
    "PortAuthorizedPersonIn",
    "PortBillIn",
    "PortCsrIn",
    "PortLoaIn",
    "PortNumberIn",
    "PortReadAddressIn",
    "PortReadIn",
    "PortRequestIn",
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("iso_date", "is not a real calendar date") from None


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Text = Annotated[str, Field(max_length=300)]
RequiredText = Annotated[str, Field(max_length=300), BeforeValidator(_not_blank)]

LineType = Literal["landline", "wireless", "voip", "toll_free", "unknown"]
LineFeature = Literal["dsl", "hunt_group", "distinctive_ring", "remote_call_forwarding", "isdn"]
SharedLineUse = Literal["credit_card_terminal", "alarm", "internet"]
LINE_TYPES: tuple[str, ...] = LineType.__args__  # type: ignore[attr-defined]
LINE_FEATURES: tuple[str, ...] = LineFeature.__args__  # type: ignore[attr-defined]
SHARED_LINE_USES: tuple[str, ...] = SharedLineUse.__args__  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PortNumberIn(_Strict):
    """One number to port, as typed (the engine parses it) and its line type."""

    number: Text
    line_type: LineType


class PortAuthorizedPersonIn(_Strict):
    """The authorized user or owner of the account at the losing carrier."""

    name: Text
    title: Text | None = None


def _known_state(value: Any) -> Any:
    value = _not_blank(value)
    if isinstance(value, str) and not (state_code(value, "US") or state_code(value, "CA")):
        raise PydanticCustomError(
            "state",
            "'{state}' is not a US state or territory or a Canadian province; "
            "use its two-letter code",
            {"state": value},
        )
    return value


class PortAddressIn(_Strict):
    """A service address. ``state`` is a state, territory or province: code or full name."""

    street: RequiredText
    unit: Text | None = None
    city: RequiredText
    state: Annotated[str, Field(max_length=300), BeforeValidator(_known_state)]
    postal_code: Text
    country: Literal["US", "CA"]

    @model_validator(mode="after")
    def _state_of_country(self) -> PortAddressIn:
        if state_code(self.state, self.country) is None:
            where = "a Canadian province" if self.country == "US" else "a US state"
            raise PydanticCustomError(
                "state_country",
                "state '{state}' is {where}, but country is '{country}'",
                {"state": self.state, "where": where, "country": self.country},
            )
        return self


class PortLoaIn(_Strict):
    """The Letter of Authorization: who signed it and when."""

    signer_name: RequiredText
    signed_on: IsoDate


class PortReadAddressIn(_Strict):
    """A service address as read from a document: any part may be missing."""

    street: Text | None = None
    unit: Text | None = None
    city: Text | None = None
    state: Text | None = None
    postal_code: Text | None = None


class PortReadIn(_Strict):
    """What faxline read from the document itself (issue 14, the keys of ``faxline porting
    extract``): every fact optional, null when it was not found."""

    document_type: Literal["bill", "csr", "loa", "other"] | None = None
    account_name: Text | None = None
    service_address: PortReadAddressIn | None = None
    btn: Text | None = None
    account_number: Text | None = None
    statement_date: IsoDate | None = None
    numbers: list[Text] = Field(default_factory=list, max_length=10_000)
    numbers_complete: bool = Field(
        default=True,
        description="False when the numbers read may miss some (an entry OCR could not make "
        "out, a list running onto a page not read): a number to port that is not among them "
        "is then not reported.",
    )
    authorized_names: list[Text] = Field(default_factory=list, max_length=100)
    line_features: list[LineFeature] = Field(default_factory=list, max_length=20)


class PortBillIn(_Strict):
    """The most recent bill of the losing carrier, as transcribed from it (and, in
    ``read``, as read from its file)."""

    statement_date: IsoDate
    account_name: RequiredText
    service_address: PortAddressIn
    read: PortReadIn | None = None


class PortCsrIn(_Strict):
    """The Customer Service Record of the losing carrier, as transcribed from it."""

    account_name: RequiredText
    service_address: PortAddressIn
    btn: Text | None = None
    account_number: Text | None = None
    authorized_names: list[Text] = Field(default_factory=list, max_length=100)
    numbers: list[Text] = Field(default_factory=list, max_length=10_000)
    line_features: list[LineFeature] = Field(default_factory=list, max_length=20)
    read: PortReadIn | None = None


class PortRequestIn(_Strict):
    """A port request to validate. The field order here is the order of the findings."""

    as_of: IsoDate
    numbers: list[PortNumberIn] = Field(min_length=1, max_length=10_000)
    port_type: Literal["full", "partial"]
    btn: Text | None = None
    new_btn: Text | None = None
    losing_carrier: RequiredText
    account_number: Text | None = None
    pin: Text | None = None
    business_name: RequiredText
    authorized_person: PortAuthorizedPersonIn | None = None
    service_address: PortAddressIn
    loa: PortLoaIn | None = None
    bill: PortBillIn | None = None
    csr: PortCsrIn | None = None
    shared_line_uses: list[SharedLineUse] = Field(default_factory=list, max_length=10)
    unconfirmed: list[Literal["bill", "csr"]] = Field(
        default_factory=list,
        max_length=2,
        description="documents uploaded whose facts nobody has confirmed or typed yet",
    )
