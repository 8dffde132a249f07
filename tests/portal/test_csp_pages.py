"""Every portal page passes the Content-Security-Policy (``faxline.portal.security``).

The standard cast signs in (operator, company administrator, department administrator,
read-only administrator, fax user, and a user before the first sign-in) and the test walks
the portal from the Dashboard, following every link and every htmx URL of every page it
reaches, plus every page of the URL map that needs no argument. It fails on what the policy
would block in the browser:

- an inline ``<script>`` without the page's nonce (data blocks such as
  ``type="application/json"`` excepted), or from another site;
- an inline event handler (``onclick=`` and the like) or a ``javascript:`` link;
- a ``style=`` attribute, or a ``<style>`` without the page's nonce;
- in an htmx answer, any inline ``<script>`` or ``<style>`` outside ``<head>``: the page
  it is swapped into has another nonce;
- htmx features that need ``eval``: trigger filters (``hx-trigger="change[…]"``), ``hx-on``,
  ``js:`` values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from faxline.accounts.access import Actor
from faxline.notify.models import NotificationLog
from faxline.onboarding.services import order_create
from faxline.porting.files.loa import loa_generate, loa_send_link
from faxline.porting.requests.services import port_request_create

from cast import Cast

NONCE = re.compile(r"'nonce-([^']+)'")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}
MAX_PAGES = 400
MAX_VARIANTS = 4  # the same path with different queries (sorting, paging) is enough 4 times
SKIP = ("/static/", "/api/v1/port-requests", "/auth/logout")


@dataclass
class Page(HTMLParser):
    """What the policy cares about in one HTML answer."""

    nonce: str
    fragment: bool
    problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    _in_head: bool = False

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self._in_head = True
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}> (style attribute)")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}> (htmx needs eval)")
            if name in ("hx-trigger", "data-hx-trigger") and "[" in value:
                self.problems.append(f"<{tag} hx-trigger={value!r}> (a filter needs eval)")
            if name in ("hx-vals", "hx-vars", "hx-headers") and value.lstrip().startswith(
                ("js:", "javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}> (htmx needs eval)")
            if name in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}> (javascript: URL)")
            if name in ("href", "hx-get") and value:
                self.links.append(value)
        if tag == "script":
            kind = values.get("type", "").lower()
            if "src" in values:
                if urlsplit(values["src"]).netloc:
                    self.problems.append(f"<script src={values['src']!r}> (another site)")
            elif kind not in DATA_SCRIPT_TYPES:
                self._check_nonce("script", values)
        if tag == "style":
            self._check_nonce("style", values)
        if (
            tag == "link"
            and "stylesheet" in values.get("rel", "")
            and (urlsplit(values.get("href", "")).netloc)
        ):
            self.problems.append(f"<link href={values['href']!r}> (another site)")

    def _check_nonce(self, tag: str, values: dict[str, str]) -> None:
        if self.fragment and not self._in_head:
            # A whole page answered to htmx is swapped in by hx-select, never its <head>.
            self.problems.append(f"inline <{tag}> in an htmx answer (its nonce cannot match)")
        elif values.get("nonce") != self.nonce:
            self.problems.append(f"inline <{tag}> without the page's nonce")


def _no_argument_pages() -> Iterator[str]:
    """The paths of the URL map that take no argument."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or "(?P" in route or route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            else:
                yield "/" + prefix + route

    yield from walk(get_resolver().url_patterns, "")


def crawl(client: Client, start: list[str]) -> dict[str, list[str]]:
    """Walk the portal from ``start``; return the problems found, by page."""
    queue = [(url, False) for url in start]
    seen: set[tuple[str, bool]] = set()
    variants: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, fragment = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        key = (parts.path + ("?" + parts.query if parts.query else ""), fragment)
        if key in seen or variants[parts.path] >= MAX_VARIANTS:
            continue
        seen.add(key)
        variants[parts.path] += 1
        headers = {"HTTP_HX_REQUEST": "true"} if fragment else {}
        response = client.get(key[0], **headers)
        fetched += 1
        if "text/html" not in response.get("Content-Type", ""):
            continue
        policy = response.get("Content-Security-Policy", "")
        match = NONCE.search(policy)
        if not match:
            problems[key[0]] = ["no Content-Security-Policy with a nonce"]
            continue
        page = Page(nonce=match.group(1), fragment=fragment)
        page.feed(response.content.decode())
        if page.problems:
            problems[("htmx " if fragment else "") + key[0]] = page.problems
        if response.status_code >= 300:
            continue
        base = parts.path
        for link in page.links:
            target = urljoin(base, link.split("#", 1)[0])
            if target:
                queue.append((target, False))
                if link in _hx_gets(response.content.decode()):
                    queue.append((target, True))
    assert fetched > 5, "the walk reached almost nothing"
    print(f"walked {fetched} pages")
    return problems


def _hx_gets(html: str) -> set[str]:
    return set(re.findall(r'hx-get="([^"]+)"', html))


@pytest.fixture
def data(cast: Cast, settings: object, tmp_path: object) -> Cast:
    """A port request with its LOA, an onboarding order: more pages to walk."""
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    admin = Actor(user=cast.company_admin)
    port = port_request_create(
        actor=admin,
        company=cast.company,
        data={
            "contact_first_name": "Carol",
            "contact_last_name": "Chief",
            "contact_email": "carol@acme.example",
            "contact_phone": "+1 206 555 0100",
            "numbers": [{"number": "+12062345678", "line_type": "landline"}],
            "port_type": "full",
            "btn": "+12062345678",
            "losing_carrier": "Old Telco",
            "account_number": "ACCT-998877",
            "pin": "4321",
            "business_name": "Acme Corp",
            "authorized_name": "Carol Chief",
            "authorized_title": "CEO",
            "street": "1313 Mockingbird Lane",
            "city": "Seattle",
            "state": "WA",
            "postal_code": "98101",
            "country": "US",
        },
    )
    loa_generate(actor=admin, request=port)
    loa_send_link(actor=admin, request=port, email="carol@acme.example")
    order_create(actor=Actor(user=cast.operator), company=cast.outsider_company)
    return cast


ROLES = [
    "operator",
    "company_admin",
    "dept_admin",
    "read_only_admin",
    "billing_user",
    "outsider_admin",
]


@pytest.mark.database_independent
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_the_policy(data: Cast, role: str) -> None:
    client = Client()
    client.force_login(getattr(data, role))
    problems = crawl(client, ["/", *_no_argument_pages()])
    assert not problems, "\n".join(
        f"{page}: {'; '.join(found)}" for page, found in problems.items()
    )


def test_signed_out_pages_pass_the_policy(data: Cast) -> None:
    body = NotificationLog.objects.get(kind="porting.loa_link").body
    signing = re.search(r"/porting/sign/[A-Za-z0-9_-]+/", body)
    assert signing, body
    start = ["/auth/login/", "/auth/password/forgot/", signing.group(0), *_no_argument_pages()]
    problems = crawl(Client(), start)
    assert not problems, problems
