"""A fax user's fax numbers, as Account Administration needs them.

Fax numbers belong to the ``numbers`` app, which sits above accounts: it assigns numbers to
the users that accounts creates. Accounts still shows a user's numbers (the API's
``fax_numbers``) and offers the Choose Fax Number step of Add User Account, so it declares
here the little it needs, and the numbers app provides it (``NumbersConfig.user_numbers``,
collected through ``faxline.core.contributions``). Without a provider users have no numbers
and the wizard offers none.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from faxline.accounts.access import Actor
from faxline.accounts.models import Company, User
from faxline.core.contributions import collect
from faxline.core.errors import ValidationFailed


class UserNumbers:
    """What the app that owns fax numbers tells and does for accounts. This base is the
    answer where no installed app provides fax numbers; the provider subclasses it."""

    def of_users(self, user_ids: list[int]) -> dict[int, list[str]]:
        """The numbers each of the users holds, in one query."""
        return {}

    def of_company(self, company: Company) -> list[str]:
        """The numbers in the company's inventory (E.164, sorted), for settings that concern
        one of them (a webhook for one number's inbound faxes)."""
        return []

    def unassigned(self, *, actor: Actor, company: Company) -> list[str]:
        """The company's numbers the actor may give a new user (empty without the right)."""
        return []

    def assign(self, *, actor: Actor, user: User, number: str) -> None:
        """Give ``number`` to ``user`` through the owner's service (a domain error if not)."""
        raise ValidationFailed("Fax numbers are not available here.", field="fax_number")


def user_numbers() -> UserNumbers:
    """The installed provider of fax numbers (at most one)."""
    providers = collect("user_numbers", UserNumbers)
    if len(providers) > 1:
        raise ImproperlyConfigured("More than one installed app provides users' fax numbers.")
    return providers[0] if providers else UserNumbers()
