"""The portal shell pages: sign-in required, the menu, and the context processor."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse

from faxline import __version__
from faxline.accounts.choices import Role
from faxline.portal.context import portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    # An operator: the Settings menu is offered only to those who may use something in it.
    user = get_user_model().objects.create_user(
        username="shell",
        password="x-Secret-123",
        first_name="Sam",
        last_name="Shell",
        email="s@example.com",
        role=Role.OPERATOR,
    )
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", ["portal:dashboard", "portal:activity", "portal:help"])
def test_pages_require_sign_in(client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("portal:dashboard", "Traffic"),
        ("portal:activity", "Outbound Activity"),
        ("portal:help", "How your account is organised"),
    ],
)
def test_pages_render_in_the_shell(client, member, name: str, heading: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    for item in ("Dashboard", "Activity", "Settings", "Account Administration", "Help"):
        assert f">{item}<" in html
    assert "Sam Shell" in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("accounts:tree")}"' in html
    assert 'aria-label="Toggle navigation"' in html
    assert "csrfmiddlewaretoken" in html
    assert "X-CSRFToken" in html
    assert "bootstrap/css/bootstrap.min.css" in html
    assert "django_htmx/htmx-2.min.js" in html


def test_help_links_to_the_api_docs(client, member) -> None:
    html = client.get(reverse("portal:help")).content.decode()
    assert 'href="/api/v1/docs"' in html


@pytest.mark.parametrize(
    "path",
    [
        "faxline/portal.css",
        "faxline/favicon.svg",
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
        "django_htmx/htmx-2.min.js",
    ],
)
def test_static_files_are_found(path: str) -> None:
    assert finders.find(path), f"static file {path} not found"


def test_context_processor(settings) -> None:
    settings.FAXLINE_PORTAL_URL = "https://fax.example.com"
    context = portal(RequestFactory().get("/"))
    assert context == {"faxline_version": __version__, "portal_url": "https://fax.example.com"}


def test_messages_render_as_alerts(client, member) -> None:
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.user = member
    request.session = client.session
    storage = FallbackStorage(request)
    request._messages = storage
    messages.error(request, "Something went wrong")
    messages.success(request, "Saved")
    html = render_to_string("faxline/messages.html", {"messages": storage}, request=request)
    assert 'class="alert alert-danger' in html
    assert 'class="alert alert-success' in html
    assert 'aria-label="Dismiss"' in html
