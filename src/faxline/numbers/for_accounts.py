"""The fax numbers of users, as Account Administration needs them
(``faxline.accounts.fax_numbers``; provided through ``NumbersConfig.user_numbers``)."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.fax_numbers import UserNumbers
from faxline.accounts.models import Company, User
from faxline.core.errors import DomainError
from faxline.numbers.access import may_assign_numbers
from faxline.numbers.selectors import (
    company_inventory_numbers,
    company_numbers,
    numbers_of_users,
)
from faxline.numbers.services import number_assign


class NumbersForAccounts(UserNumbers):
    """Reads through ``numbers.selectors``, the one write through ``number_assign``."""

    def of_users(self, user_ids: list[int]) -> dict[int, list[str]]:
        return numbers_of_users(user_ids)

    def of_company(self, company: Company) -> list[str]:
        return company_inventory_numbers(company)

    def unassigned(self, *, actor: Actor, company: Company) -> list[str]:
        if not may_assign_numbers(actor):
            return []
        try:
            found = company_numbers(actor=actor, company=company, unassigned_only=True)
        except DomainError:
            return []
        return [n.number for n in found]

    def assign(self, *, actor: Actor, user: User, number: str) -> None:
        number_assign(actor=actor, number=number, user=user)
