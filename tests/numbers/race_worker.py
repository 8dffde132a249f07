"""One contender of the number race: request a number for a company, print the outcome.

Run by test_race.py as a separate process against the same PostgreSQL test database.
Usage: race_worker.py START_AT ADMIN_ID COMPANY_ID NUMBER
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")

import django

django.setup()

from faxline.accounts.access import Actor  # noqa: E402
from faxline.accounts.models import Company, User  # noqa: E402
from faxline.core.errors import DomainError  # noqa: E402
from faxline.numbers.services import numbers_request  # noqa: E402


def main() -> None:
    start_at, admin_id, company_id, number = sys.argv[1:5]
    actor = Actor(user=User.objects.get(pk=int(admin_id)))
    company = Company.objects.get(pk=int(company_id))
    time.sleep(max(0.0, float(start_at) - time.time()))
    try:
        numbers_request(actor=actor, company=company, numbers=[number])
    except DomainError as exc:
        print(f"lost:{exc.code}")
        return
    print("won")


if __name__ == "__main__":
    main()
