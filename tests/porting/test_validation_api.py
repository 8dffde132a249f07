"""``POST /api/v1/porting/validate``: the same JSON in, the same findings out, authenticated
like every endpoint (needs the router registered in faxline/api.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from validation_support import EXAMPLES, run, valid_request

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create

from cast import Cast

URL = "/api/v1/porting/validate"


def post(user: User | None, body: Any) -> Any:
    client = Client()
    if user is not None:
        secret = api_key_create(actor=Actor(user=user), name="validate").secret
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_a_valid_request_has_no_findings(cast: Cast) -> None:
    response = post(cast.company_admin, valid_request())
    assert response.status_code == 200
    assert response.json() == {"findings": []}


@pytest.mark.parametrize("who", ["company_admin", "billing_user", "operator", "outsider_admin"])
def test_findings_are_those_of_the_cli(cast: Cast, who: str) -> None:
    data = json.loads((EXAMPLES / "port-request-mismatches.json").read_text())
    response = post(getattr(cast, who), data)
    assert response.status_code == 200
    assert response.json() == {"findings": [f.as_dict() for f in run(data)]}


def test_unauthenticated_is_refused(db: None) -> None:
    response = post(None, valid_request())
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_bad_shape_names_the_field(cast: Cast) -> None:
    data = valid_request()
    data["numbers"][1]["line_type"] = "cell"
    data["surprise"] = True
    response = post(cast.company_admin, data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {e["field"] for e in body["errors"]}
    assert {"numbers.1.line_type", "surprise"} <= fields


def test_a_bad_date_is_refused(cast: Cast) -> None:
    data = valid_request()
    data["as_of"] = "30/06/2025"
    response = post(cast.company_admin, data)
    assert response.status_code == 422
    assert response.json()["field"] == "as_of"


def test_the_codes_are_documented_in_openapi(cast: Cast) -> None:
    secret = api_key_create(actor=Actor(user=cast.company_admin), name="docs").secret
    schema = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    operation = schema["paths"][URL]["post"]
    assert "`LOA_SIGNER_MISMATCH` | error" in operation["description"]
    assert "`SHARED_LINE` | warning" in operation["description"]
