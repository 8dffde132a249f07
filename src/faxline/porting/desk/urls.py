"""The porting desk's pages (operators only): the console, a request's page with its
actions, and the fee ledger."""

from django.urls import URLPattern, path

from faxline.porting.desk import views

urlpatterns: list[URLPattern] = [
    path("desk/", views.console, name="console"),
    path("desk/fees/", views.fees, name="fees"),
    path("desk/fees/<int:fee_id>/waive/", views.fee_waive, name="fee_waive"),
    path("desk/<int:request_id>/", views.request_page, name="desk_request"),
    path("desk/<int:request_id>/accept/", views.accept, name="desk_accept"),
    path("desk/<int:request_id>/in-progress/", views.in_progress, name="desk_in_progress"),
    path("desk/<int:request_id>/schedule/", views.schedule, name="desk_schedule"),
    path("desk/<int:request_id>/reject/", views.reject, name="desk_reject"),
    path("desk/<int:request_id>/remedy/", views.remedy_preview, name="desk_remedy"),
    path("desk/<int:request_id>/complete/", views.complete, name="desk_complete"),
    path("desk/<int:request_id>/links/", views.links, name="desk_links"),
    path("desk/<int:request_id>/link-users/", views.link_users, name="desk_link_users"),
    path("desk/<int:request_id>/assign/", views.assign, name="desk_assign"),
    path("desk/<int:request_id>/note/", views.note, name="desk_note"),
    path("desk/<int:request_id>/cancel/", views.cancel, name="desk_cancel"),
    path("desk/<int:request_id>/snap-back/", views.snap_back, name="desk_snap_back"),
    path("desk/<int:request_id>/reveal/", views.reveal, name="desk_reveal"),
    path(
        "desk/<int:request_id>/changes/<int:change_id>/<str:decision>/",
        views.change_decide,
        name="desk_change",
    ),
]
