"""What the Letter of Authorization says: the data the losing carrier checks, in the US or
Canadian wording, and the consent text the signer agrees to.

:class:`LoaContent` feeds both the PDF (:mod:`.rendering`) and the page preview. The account
number and PIN are stated in full (the carrier needs them); :meth:`LoaContent.rows` masks
them for pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from faxline.core.crypto import mask, mask_secret
from faxline.core.provider import provider_name
from faxline.porting.choices import PortType
from faxline.porting.models import PortRequest
from faxline.porting.validation.checks import loa_fingerprint


def display_number(number: str) -> str:
    """A NANP number as the LOA prints it (``212-555-0134``); others as given."""
    digits = number.removeprefix("+1")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return number


@dataclass(frozen=True)
class LoaContent:
    """The data and wording of one LOA, shared by the PDF and the page preview."""

    request_id: int
    variant: str  # US | CA
    title: str
    subtitle: str
    provider: str
    business_name: str
    authorized_name: str
    authorized_title: str
    street: str
    unit: str
    city: str
    state: str
    postal_code: str
    country_name: str
    state_label: str
    postal_label: str
    losing_carrier: str
    account_number: str
    pin: str
    btn: str
    new_btn: str
    port_type: str
    numbers: tuple[str, ...]
    authorization: tuple[str, ...]
    confirmations: tuple[str, ...]
    fingerprint: str
    generated_on: dt.date

    @property
    def address_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.postal_code}"

    def rows(self, *, masked: bool) -> list[tuple[str, list[tuple[str, str]]]]:
        """The LOA's sections as (heading, [(label, value)]); ``masked`` for pages."""
        account = mask(self.account_number) if masked else self.account_number
        pin = (mask_secret(self.pin) if masked else self.pin) if self.pin else "None on the account"
        carrier: list[tuple[str, str]] = [
            ("Current carrier", self.losing_carrier),
            ("Account number", account),
            ("PIN / passcode", pin),
            ("Billing number (BTN)", display_number(self.btn)),
            ("Port type", self.port_type),
        ]
        if self.new_btn:
            carrier.append(("New BTN (numbers staying)", display_number(self.new_btn)))
        return [
            (
                "Customer",
                [
                    ("Business name", self.business_name),
                    ("Authorized person", self.authorized_name),
                    ("Title", self.authorized_title or "—"),
                ],
            ),
            (
                "Service address",
                [
                    ("Street", self.street),
                    ("Suite / unit", self.unit or "—"),
                    ("City", self.city),
                    (self.state_label, self.state),
                    (self.postal_label, self.postal_code),
                    ("Country", self.country_name),
                ],
            ),
            ("Current carrier account", carrier),
        ]


def loa_content(request: PortRequest, *, on: dt.date | None = None) -> LoaContent:
    """What the LOA of ``request`` says, in its country's variant."""
    canadian = request.country == "CA"
    provider = provider_name()
    numbers = tuple(
        display_number(n)
        for n in request.numbers.order_by("number").values_list("number", flat=True)
    )
    carrier = request.losing_carrier
    partial = request.port_type == PortType.PARTIAL
    if canadian:
        authorization = (
            f"By signing this Letter of Authorization, the customer named above (the "
            f"“Customer”) appoints {provider} (the “New Provider”) and the carriers it works "
            f"with as its agent to transfer (“port”) the telephone numbers listed above from "
            f"{carrier} (the “Current Carrier”) to the New Provider under the local number "
            f"portability rules of the Canadian Radio-television and Telecommunications "
            f"Commission (CRTC), and to obtain the Customer Service Record of the account "
            f"for that purpose.",
        )
    else:
        authorization = (
            f"By signing this Letter of Authorization, the customer named above (the "
            f"“Customer”) authorizes {provider} (the “New Provider”) and the carriers it works "
            f"with to act as its agent to transfer (“port”) the telephone numbers listed "
            f"above from {carrier} (the “Current Carrier”) to the New Provider, and to obtain "
            f"the Customer Service Record (CSR) of the account for that purpose.",
        )
    confirmations = [
        "The signer is the person authorized to make changes to this account with the "
        "Current Carrier, and the information above matches the Current Carrier's records.",
        "Porting ends the Current Carrier's service on these numbers on the port date: "
        "card terminals, alarm panels or internet service sharing these lines stop working.",
    ]
    if partial:
        remaining = (
            f" with {display_number(request.new_btn)} as their new billing telephone number"
            if request.new_btn
            else ""
        )
        confirmations.append(
            "This is a partial port: the other numbers of the account stay with the "
            f"Current Carrier{remaining}."
        )
    confirmations += [
        "The Customer remains responsible for any balance owed to the Current Carrier and "
        "keeps that service active until the port is complete.",
        "This authorization is valid for 30 days from the date of signature. A copy or an "
        "electronically signed original is as valid as a handwritten original.",
    ]
    return LoaContent(
        request_id=request.pk,
        variant="CA" if canadian else "US",
        title="Letter of Authorization" if not canadian else "Letter of Authorization (Canada)",
        subtitle=(
            "Local number portability — Canada (CRTC)"
            if canadian
            else "Local number portability — United States"
        ),
        provider=provider,
        business_name=request.business_name,
        authorized_name=request.authorized_name,
        authorized_title=request.authorized_title,
        street=request.street,
        unit=request.unit,
        city=request.city,
        state=request.state,
        postal_code=request.postal_code,
        country_name="Canada" if canadian else "United States",
        state_label="Province" if canadian else "State",
        postal_label="Postal code" if canadian else "ZIP code",
        losing_carrier=carrier,
        account_number=request.account_number,
        pin=request.pin,
        btn=request.btn,
        new_btn=request.new_btn,
        port_type="Partial (some numbers stay)" if partial else "Full (all numbers)",
        numbers=numbers,
        authorization=authorization,
        confirmations=tuple(confirmations),
        fingerprint=loa_fingerprint(request),
        generated_on=on or timezone.localdate(),
    )


def consent_text(request: PortRequest) -> str:
    """What the signer agrees to, recorded verbatim with the signature."""
    return (
        f"I, {request.authorized_name}, am the person authorized to make changes to the "
        f"account of {request.business_name} with {request.losing_carrier}. I have reviewed "
        f"this Letter of Authorization for port request {request.pk}, and I agree to sign it "
        f"electronically: my electronic signature has the same effect as my handwritten "
        f"signature, and it authorizes {provider_name()} to port the numbers it lists."
    )
