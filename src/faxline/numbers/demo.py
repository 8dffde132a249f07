"""numbers' part of ``faxline demo``: every demo fax user gets a fax number.

Runs after accounts' step (``faxline.accounts.demo``), whose sign-ins it completes with each
fax user's ``fax_number``. Idempotent: a user who has a number keeps it.
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.models import Company, User
from faxline.core.demo import DemoData
from faxline.numbers.selectors import available_numbers, user_numbers
from faxline.numbers.services import number_assign, numbers_request

DEFAULT_AREA_CODE = "206"
# The demo's salesperson faxes from Detroit; everyone else from Seattle.
AREA_CODES = {"fax_user_2": "313"}


def _fax_number(op: Actor, company: Company, user: User, area_code: str) -> str:
    """The demo user's fax number: theirs if they have one, else a new one assigned."""
    held = user_numbers(user_id=user.pk)
    if held:
        return held[0]
    (number,) = available_numbers(actor=op, country="US", area=area_code, count=1)
    numbers_request(actor=op, company=company, numbers=[number])
    number_assign(actor=op, number=number, user=user)
    return number


def demo_numbers(data: DemoData) -> None:
    """Give each fax user of the demo sign-ins a number, and print it with their sign-in."""
    entries = data["users"]
    (operator,) = (e for e in entries if e["role"] == "operator")
    op = Actor(user=User.objects.get(username=operator["username"]))
    company = Company.objects.get(name=data["company"])
    for entry in entries:
        if entry["role"].startswith("fax_user"):
            user = User.objects.get(username=entry["username"])
            area_code = AREA_CODES.get(entry["role"], DEFAULT_AREA_CODE)
            entry["fax_number"] = _fax_number(op, company, user, area_code)
