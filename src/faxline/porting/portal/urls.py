"""Number Porting pages of the customer's side (Settings ▸ Number Porting)."""

from django.urls import path

from faxline.porting.portal.views import (
    bulk_import,
    changes,
    details,
    edit,
    new_request,
    notes,
    port_requests,
)

urlpatterns = [
    path("", port_requests.port_list, name="list"),
    path("new/", new_request.port_new, name="new"),
    path("bulk/", bulk_import.port_bulk, name="bulk"),
    path("<int:request_id>/", details.port_detail, name="detail"),
    path("<int:request_id>/submit/", details.port_submit, name="submit"),
    path("<int:request_id>/cancel/", details.port_cancel, name="cancel"),
    path("<int:request_id>/notes/", notes.port_note, name="note"),
    path("<int:request_id>/changes/", changes.port_change, name="change"),
    path(
        "<int:request_id>/changes/<int:change_id>/decide/",
        changes.port_change_decide,
        name="change_decide",
    ),
    path("<int:request_id>/edit/", edit.port_edit, name="edit"),
]
