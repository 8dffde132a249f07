"""The Coverpage tab's Upload, Manage and Browse (Company and Department Details; a user's
Coverpage tab offers the covers of their level and Browse).

Uploads, renames and deletions go through ``accounts.services.coverpages``; the previews
are drawn in the document sandbox (``documents.coverpage.render_cover_preview``). The
forms are htmx forms that swap the tab (``#fx-coverpage``) and work as plain forms too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from faxline.accounts import selectors
from faxline.accounts.details_forms import CoverpageTabForm, CoverRenameForm, CoverUploadForm
from faxline.accounts.models import Company, Department
from faxline.accounts.services.coverpages import (
    cover_page_delete,
    cover_page_rename,
    cover_page_upload,
)
from faxline.core.errors import DomainError
from faxline.core.vault import vault_read
from faxline.documents.coverpage import MAX_TEMPLATE_BYTES, render_cover_preview
from faxline.portal.toolkit import (
    apply_domain_error,
    form_status,
    is_htmx,
    portal_view,
    swap_target,
)

if TYPE_CHECKING:
    from faxline.accounts.views.details import DetailsPage

COVER_ACTIONS = ("upload_cover", "rename_cover", "delete_cover")
PREVIEW_TARGET = "fx-cover-preview"
CHOICE_TARGET = "fx-cover-choice"


def _owner(page: DetailsPage) -> Company | Department | None:
    """The level whose own covers the page manages (a user's page manages none)."""
    obj = page.obj
    return obj if isinstance(obj, Company | Department) else None


def cover_form_kwargs(page: DetailsPage) -> dict[str, Any]:
    """The Default coverpage choices of the page's level."""
    return {"cover_choices": [(c.key, c.label) for c in selectors.cover_choices(page.obj)]}


def _preview(page: DetailsPage) -> dict[str, str] | None:
    """Browse: the cover chosen in the drop-down (or stored), as an image to show."""
    request = page.request
    if "browse" not in request.GET:
        return None
    stored = selectors.settings_of(page.obj)["coverpage"]["default_coverpage"]
    key = request.GET.get("default_coverpage") or stored
    for choice in selectors.cover_choices(page.obj):
        if choice.key == key:
            if choice.cover is None:
                url = reverse("accounts:cover_preview_default")
            else:
                url = reverse("accounts:cover_preview", args=[choice.cover.pk])
            return {"label": choice.label, "url": url}
    return None


def covers_context(page: DetailsPage, **overrides: Any) -> dict[str, Any]:
    """What the Coverpage tab shows beside its form: the level's own covers (Manage), the
    Upload form and the Browse preview."""
    owner = _owner(page)
    context: dict[str, Any] = {
        "covers_owned": list(selectors.covers_owned(owner)) if owner is not None else [],
        "covers_manageable": owner is not None and page.editable("coverpage"),
        "covers_level": owner is not None,
        "cover_upload_form": CoverUploadForm(),
        "cover_preview": _preview(page),
        "cover_max_mb": MAX_TEMPLATE_BYTES // (1024 * 1024),
    }
    context.update(overrides)
    return context


def _choices(page: DetailsPage) -> HttpResponse:
    """The Default coverpage list as it would be with the Only my cover(s) box as ticked
    now (not saved yet); the choice is kept when it is still offered."""
    only_mine = page.request.GET.get("only_my_covers") == "on"
    choices = selectors.cover_choices(page.obj, only_mine=only_mine)
    form = CoverpageTabForm(
        initial={"default_coverpage": page.request.GET.get("default_coverpage", "")},
        cover_choices=[(c.key, c.label) for c in choices],
    )
    return render(page.request, "accounts/_cover_choice.html", {"form": form})


def _render_tab(page: DetailsPage, *, status: int = 200, **overrides: Any) -> HttpResponse:
    """The page with the Coverpage tab as stored, and ``overrides`` (a bound form, a
    notice). An htmx request gets the tab alone (``#fx-coverpage``) with 200: htmx swaps
    only successes, and the refusal is in the tab it swaps in."""
    form = CoverpageTabForm(
        initial=selectors.settings_of(page.obj)["coverpage"], **cover_form_kwargs(page)
    )
    if is_htmx(page.request):
        return page.render(
            template="accounts/_tab_coverpage.html",
            form=form,
            **covers_context(page, **overrides),
        )
    return page.render(status=status, form=form, **covers_context(page, **overrides))


def _done(page: DetailsPage, message: str) -> HttpResponse:
    if is_htmx(page.request):
        return _render_tab(page, cover_notice=message)
    return page.saved(message)


def coverpage_action(page: DetailsPage) -> HttpResponse | None:
    """Answer Upload, rename, delete and an htmx Browse; None for the tab's own form."""
    request = page.request
    if request.method == "GET":
        if "browse" in request.GET and swap_target(request) == PREVIEW_TARGET:
            return render(
                request, "accounts/_cover_preview.html", {"cover_preview": _preview(page)}
            )
        if "choices" in request.GET and swap_target(request) == CHOICE_TARGET:
            return _choices(page)
        return None
    action = request.POST.get("action", "")
    if action not in COVER_ACTIONS:
        return None
    owner = _owner(page)
    if owner is None:
        raise Http404("Cover pages belong to a company or department.")
    if action == "upload_cover":
        return _upload(page, owner)
    cover = _own_cover(page, owner)
    if action == "delete_cover":
        name = cover.name
        cover_page_delete(actor=page.actor, cover=cover)
        return _done(page, f"Cover page “{name}” deleted.")
    form = CoverRenameForm(request.POST)
    if form.is_valid():
        try:
            cover_page_rename(actor=page.actor, cover=cover, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
            return _render_tab(
                page,
                status=form_status(exc),
                cover_rename_form=form,
                cover_rename_id=cover.pk,
            )
        return _done(page, f"Cover page renamed “{form.cleaned_data['name']}”.")
    return _render_tab(page, status=422, cover_rename_form=form, cover_rename_id=cover.pk)


def _own_cover(page: DetailsPage, owner: Company | Department) -> Any:
    try:
        cover_id = int(page.request.POST.get("cover_id", ""))
    except ValueError:
        raise Http404("Cover page not found.") from None
    cover = selectors.covers_owned(owner).filter(pk=cover_id).first()
    if cover is None:
        raise Http404("Cover page not found.")
    return cover


def _upload(page: DetailsPage, owner: Company | Department) -> HttpResponse:
    request = page.request
    form = CoverUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_tab(page, status=422, cover_upload_form=form)
    upload = form.cleaned_data["file"]
    try:
        cover = cover_page_upload(
            actor=page.actor,
            owner=owner,
            data=upload.read(MAX_TEMPLATE_BYTES + 1),
            filename=upload.name or "",
            name=form.cleaned_data["name"],
        )
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _render_tab(page, status=form_status(exc), cover_upload_form=form)
    kind = "letterhead" if cover.is_static else f"{len(cover.field_names)} fields"
    return _done(
        page,
        f"Cover page “{cover.name}” uploaded ({kind}). Choose it as the Default coverpage "
        "and Save to use it.",
    )


# --- Browse: the previews ----------------------------------------------------------------


def _png(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@portal_view
@require_GET
def cover_preview(request: HttpRequest, cover_id: int) -> HttpResponse:
    """A cover filled with sample fields, as a PNG (administrators who may see it)."""
    from faxline.accounts.views.details import admin_actor

    cover = selectors.cover_get(actor=admin_actor(request), cover_id=cover_id)
    return _png(render_cover_preview(template=vault_read(cover.vault_name)))


@portal_view
@require_GET
def cover_preview_default(request: HttpRequest) -> HttpResponse:
    """The built-in "faxline Default" filled with sample fields, as a PNG."""
    from faxline.accounts.views.details import admin_actor

    admin_actor(request)
    return _png(render_cover_preview())
