"""The portal toolkit itself: the one rule for refusals, the htmx helpers, the wizard engine."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.portal.toolkit import (
    StepsForm,
    Wizard,
    apply_domain_error,
    current_page,
    error_field,
    form_status,
    is_htmx,
    page_redirect,
    render_page,
    swap_target,
)
from portal.toolkit_urls import REFUSAL

pytestmark = [pytest.mark.django_db, pytest.mark.urls("portal.toolkit_urls")]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def member(client: Client) -> Client:
    user = get_user_model().objects.create_user(
        username="tool", password="x-Secret-123", email="t@example.com"
    )
    client.force_login(user)
    return client


# --- the one rule ------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_back(client: Client) -> None:
    response = client.get("/_toolkit/open/?tab=2")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/_toolkit/open/%3Ftab%3D2"


def test_anonymous_htmx_request_loads_the_sign_in_page_whole(client: Client) -> None:
    response = client.get(
        "/_toolkit/open/", HTTP_HX_CURRENT_URL="http://testserver/settings/porting/", **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/settings/porting/"


def test_signed_in_gets_the_page(member: Client) -> None:
    assert member.get("/_toolkit/open/").content == b"welcome"


def test_not_found_is_404(member: Client) -> None:
    assert member.get("/_toolkit/missing/7/").status_code == 404
    assert member.post("/_toolkit/missing/7/", **HTMX).status_code == 404


def test_a_refused_page_is_the_403_page_with_the_message(member: Client) -> None:
    response = member.get("/_toolkit/refused/", HTTP_REFERER="http://testserver/help/")
    assert response.status_code == 403
    assert response.templates[0].name == "portal/refused.html"
    html = response.content.decode()
    assert REFUSAL in html and "<html" in html
    assert 'href="/help/"' in html  # a way back to where they came from


def test_a_refused_htmx_request_gets_the_refusal_in_place_of_the_main_area(
    member: Client,
) -> None:
    response = member.get(
        "/_toolkit/refused/", HTTP_HX_CURRENT_URL="http://testserver/help/", **HTMX
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"].startswith("innerHTML")
    assert response["HX-Reselect"] == "unset"  # not the requesting element's hx-select
    html = response.content.decode()
    assert REFUSAL in html and "<html" not in html and 'id="fx-refused"' in html


def test_a_refused_action_goes_back_to_its_page_with_the_message(member: Client) -> None:
    response = member.post("/_toolkit/refused/", HTTP_REFERER="http://testserver/help/?x=1")
    assert response.status_code == 302 and response["Location"] == "/help/?x=1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [REFUSAL]

    response = member.post(
        "/_toolkit/refused/", HTTP_HX_CURRENT_URL="http://testserver/activity/", **HTMX
    )
    assert response.status_code == 200 and response["HX-Redirect"] == "/activity/"


@pytest.mark.parametrize(
    "referer",
    [
        None,  # the page it came from is unknown
        "http://testserver/_toolkit/refused/?step=2",  # a form posting to its own page
        "https://elsewhere.example/help/",  # never back to another site
    ],
)
def test_a_refused_action_without_a_page_to_return_to_is_the_403_page(
    member: Client, referer: str | None
) -> None:
    extra = {"HTTP_REFERER": referer} if referer else {}
    response = member.post("/_toolkit/refused/", **extra)
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert "elsewhere.example" not in response.content.decode()


# --- htmx helpers ------------------------------------------------------------------------


def test_htmx_helpers() -> None:
    factory = RequestFactory()
    plain = factory.get("/x/", HTTP_REFERER="http://testserver/from/?a=1")
    swap = factory.get(
        "/x/", HTTP_HX_TARGET="fx-tree", HTTP_HX_CURRENT_URL="http://testserver/page/", **HTMX
    )
    restore = factory.get("/x/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert not is_htmx(plain) and is_htmx(swap) and not is_htmx(restore)
    assert swap_target(plain) is None and swap_target(swap) == "fx-tree"
    assert swap_target(restore) is None  # a lost page is asked for whole
    assert current_page(plain) == "/from/?a=1" and current_page(swap) == "/page/"
    assert page_redirect(plain, "/to/")["Location"] == "/to/"
    assert page_redirect(swap, "/to/")["HX-Redirect"] == "/to/"


def test_render_page_sends_the_fragment_of_the_swapped_element_only(member: Client) -> None:
    factory = RequestFactory()
    context = {"message": "No.", "dashboard_url": "/"}
    partials = {"fx-refused": "portal/_refused.html"}

    def rendered(**headers: Any) -> str:
        request = factory.get("/x/", **headers)
        request.user = get_user_model().objects.get(username="tool")
        return render_page(
            request, "portal/refused.html", context, partials=partials
        ).content.decode()

    assert "<html" in rendered()
    assert "<html" not in rendered(HTTP_HX_TARGET="fx-refused", **HTMX)
    assert "<html" in rendered(HTTP_HX_TARGET="fx-other", **HTMX)


# --- the wizard engine -------------------------------------------------------------------


class TripForm(StepsForm):
    STEPS = [
        ("Who", ["name", "email"]),
        ("Where", ["city"]),
        ("When", ["day"]),
    ]

    name = forms.CharField()
    email = forms.EmailField()
    city = forms.CharField()
    day = forms.DateField()

    def error_field(self, name: str | None) -> str | None:
        return "city" if name == "destination" else super().error_field(name)


FILLED = {"name": "Ada", "email": "ada@example.com", "city": "Paris", "day": "2030-01-02"}


def moved(data: dict[str, str], **kwargs: Any) -> Wizard[TripForm]:
    request = RequestFactory().post("/trip/", data)
    return Wizard(request, TripForm(request.POST)).advance(**kwargs)


def test_a_new_wizard_starts_at_step_one_unjudged() -> None:
    request = RequestFactory().get("/trip/")
    wizard = Wizard(request, TripForm()).advance()
    assert (wizard.step, wizard.reached, wizard.action, wizard.finish) == (1, 1, "start", False)
    assert [s.title for s in wizard.steps()] == ["Who", "Where", "When"]
    assert not any(s.has_errors for s in wizard.steps())


def test_next_moves_through_the_steps_in_order() -> None:
    wizard = moved({**FILLED, "step": "1", "action": "next"})
    assert (wizard.step, wizard.reached) == (2, 2)
    wizard = moved({**FILLED, "step": "2", "reached": "2", "action": "next"})
    assert (wizard.step, wizard.reached, wizard.is_last) == (3, 3, True)
    context = wizard.context(extra="yes")
    assert context["step"] == 3 and context["extra"] == "yes"
    assert [(s.done, s.current) for s in context["steps"]] == [
        (True, False),
        (True, False),
        (False, True),
    ]


def test_an_invalid_step_stays_with_its_own_errors_only() -> None:
    wizard = moved({"name": "Ada", "email": "not-an-email", "step": "1", "action": "next"})
    assert wizard.step == 1 and not wizard.finish
    assert set(wizard.form.errors) == {"email"}  # not city or day: steps not reached yet
    assert [s.has_errors for s in wizard.steps()] == [True, False, False]


def test_check_step_can_refuse_a_clean_step() -> None:
    def no_bob(form: TripForm, step: int) -> None:
        if step == 1 and form.cleaned_data.get("name") == "Bob":
            form.add_error("name", "Not Bob.")

    wizard = moved({**FILLED, "name": "Bob", "step": "1", "action": "next"}, check_step=no_bob)
    assert wizard.step == 1 and wizard.form.errors["name"] == ["Not Bob."]


def test_back_keeps_what_was_typed_and_judges_nothing() -> None:
    wizard = moved({"name": "Ada", "email": "bad", "city": "Paris", "step": "2", "action": "back"})
    assert wizard.step == 1 and not wizard.form.errors
    html = str(wizard.form["city"])  # the hidden steps travel with the page
    assert 'value="Paris"' in html and 'value="Ada"' in str(wizard.form["name"])


def test_finish_goes_to_the_first_step_with_an_error() -> None:
    wizard = moved({**FILLED, "city": "", "step": "3", "action": "finish"})
    assert wizard.step == 2 and not wizard.finish
    wizard = moved({**FILLED, "step": "3", "action": "next"})  # Next on the last step
    assert wizard.finish and wizard.step == 3


def test_a_stay_action_keeps_the_step_and_its_errors() -> None:
    wizard = moved({"email": "bad", "step": "1", "action": "remove:2"}, stay=("check", "remove"))
    assert wizard.step == 1 and wizard.action == "remove:2"
    assert set(wizard.form.errors) == {"name", "email"}


def test_the_service_refusal_is_shown_on_its_field_at_its_step() -> None:
    wizard = moved({**FILLED, "step": "3", "action": "finish"})

    def create() -> str:
        raise ValidationFailed("Nobody flies there.", field="destination")

    assert wizard.submit(create) is None
    assert wizard.step == 2 and not wizard.finish
    assert wizard.form.errors["city"] == ["Nobody flies there."]

    wizard = moved({**FILLED, "step": "3", "action": "finish"})
    assert wizard.submit(lambda: "booked") == "booked"

    def refused() -> str:
        raise Forbidden("Read-only.")

    wizard = moved({**FILLED, "step": "3", "action": "finish"})
    assert wizard.submit(refused) is None  # shown above the form: nothing typed is lost
    assert wizard.step == 1 and wizard.form.non_field_errors() == ["Read-only."]


def test_a_not_found_about_nothing_on_the_form_propagates() -> None:
    wizard = moved({**FILLED, "step": "3", "action": "finish"})

    def create() -> str:
        raise NotFound("Department not found.", field="parent")

    with pytest.raises(NotFound):  # portal_view answers 404 (test_not_found_is_404)
        wizard.submit(create)


def test_a_refusal_lands_on_the_field_its_path_ends_in() -> None:
    class Form(forms.Form):
        number = forms.CharField()
        user = forms.CharField()
        require_spf = forms.BooleanField()

    form = Form({})
    assert error_field(form, ValidationFailed("x", field="settings.fax.require_spf")) == (
        "require_spf"
    )
    assert error_field(form, ValidationFailed("x", field="port_numbers[2].number")) == "number"
    assert error_field(form, ValidationFailed("x", field="user_id"), {"user_id": "user"}) == "user"
    assert error_field(form, ValidationFailed("x", field="elsewhere")) is None
    assert error_field(form, ValidationFailed("x")) is None
    form.is_valid()
    apply_domain_error(form, ValidationFailed("Taken.", field="user_id"), {"user_id": "user"})
    assert "Taken." in form.errors["user"]
    assert form_status(Forbidden("no")) == 403
    assert form_status(Conflict("state")) == 409
    assert form_status(ValidationFailed("bad")) == 422
