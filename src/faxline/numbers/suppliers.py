"""Where new numbers come from, behind one small interface.

``StockSupplier`` offers what operators imported into the provider's pool. ``SandboxSupplier``
(SANDBOX: no carrier behind it) also offers plausible free numbers per area code, so that the
demo and the tests have stock; a provider sets ``FAXLINE_NUMBER_SUPPLIER=stock`` (or plugs in
a carrier's API here) for production.
"""

from __future__ import annotations

import hashlib

import phonenumbers
from django.conf import settings

from faxline.numbers.choices import NumberStatus
from faxline.numbers.models import FaxNumber


class NumberSupplier:
    """Offers free numbers of an area code and says whether a number may be taken."""

    name = "stock"

    def offer(self, *, area_code: str, count: int) -> list[str]:
        """Free numbers of ``area_code`` from the provider's pool, at most ``count``."""
        return list(
            FaxNumber.objects.filter(status=NumberStatus.AVAILABLE, area_code=area_code)
            .order_by("number")
            .values_list("number", flat=True)[:count]
        )

    def can_create(self, number: str) -> bool:
        """Whether a number not in the database may be created on request."""
        return False


class StockSupplier(NumberSupplier):
    name = "stock"


class SandboxSupplier(NumberSupplier):
    """SANDBOX supplier: the pool plus made-up numbers that pass the numbering plan's rules.

    Its numbers are deterministic per area code (the same list each time, minus those
    already taken) so that tests and demos are repeatable.
    """

    name = "sandbox"

    def offer(self, *, area_code: str, count: int) -> list[str]:
        found = super().offer(area_code=area_code, count=count)
        taken = set(FaxNumber.objects.filter(area_code=area_code).values_list("number", flat=True))
        index = 0
        while len(found) < count and index < count * 20 + 200:
            candidate = self._candidate(area_code, index)
            index += 1
            if candidate and candidate not in taken and candidate not in found:
                found.append(candidate)
        return found

    def can_create(self, number: str) -> bool:
        return _plausible(number)

    @staticmethod
    def _candidate(area_code: str, index: int) -> str | None:
        digest = hashlib.sha256(f"faxline-sandbox:{area_code}:{index}".encode()).hexdigest()
        digits = str(int(digest[:16], 16))
        exchange = str(2 + int(digits[0]) % 8) + digits[1:3]
        line = digits[3:7]
        number = f"+1{area_code}{exchange}{line}"
        return number if _plausible(number) else None


def _plausible(number: str) -> bool:
    if len(number) != 12 or not number.startswith("+1"):
        return False
    exchange = number[5:8]
    if exchange[1:] == "11" or exchange == "555" or exchange[0] in "01":
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def supplier() -> NumberSupplier:
    """The configured supplier (``FAXLINE_NUMBER_SUPPLIER``)."""
    if settings.FAXLINE_NUMBER_SUPPLIER == "sandbox":
        return SandboxSupplier()
    return StockSupplier()
