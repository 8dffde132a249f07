"""Number Porting pages of the customer's side (Settings ▸ Number Porting)."""

from django.urls import path

from faxline.porting.portal import views

urlpatterns = [
    path("", views.port_list, name="list"),
    path("new/", views.port_new, name="new"),
    path("bulk/", views.port_bulk, name="bulk"),
    path("<int:request_id>/", views.port_detail, name="detail"),
    path("<int:request_id>/submit/", views.port_submit, name="submit"),
    path("<int:request_id>/cancel/", views.port_cancel, name="cancel"),
    path("<int:request_id>/notes/", views.port_note, name="note"),
    path("<int:request_id>/changes/", views.port_change, name="change"),
    path(
        "<int:request_id>/changes/<int:change_id>/decide/",
        views.port_change_decide,
        name="change_decide",
    ),
    path("<int:request_id>/edit/", views.port_edit, name="edit"),
]
