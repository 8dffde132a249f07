"""Seed a running faxline for the live hostile-document test: the standard cast, an API key
and a signed-in portal session of the company administrator, and a Draft port request.

Run by test_hostile_upload_live.py as a separate process against the server's database;
prints one JSON line: {"api_key", "session", "port_id"}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: cast
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/porting/: porting_support
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from porting_support import request_data  # noqa: E402

from faxline.accounts.access import Actor  # noqa: E402
from faxline.accounts.services.api_keys import api_key_create  # noqa: E402
from faxline.porting.requests.services import port_request_create  # noqa: E402

from cast import build_cast  # noqa: E402


def main() -> None:
    cast = build_cast()
    admin = Actor(user=cast.company_admin)
    key = api_key_create(actor=admin, name="live test").secret
    port = port_request_create(actor=admin, company=cast.company, data=request_data())
    client = Client()
    client.force_login(cast.company_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({"api_key": key, "session": session, "port_id": port.pk}))


if __name__ == "__main__":
    main()
