"""URLs of the outbound faxes' pages (namespace ``outbound``)."""

from django.urls import path

from faxline.faxing.jobs import views

app_name = "outbound"

urlpatterns = [
    path("send/", views.send_fax, name="send"),
    path(
        "send/preview/<str:preview_id>/pages/<int:page>.png",
        views.send_preview_page,
        name="preview_page",
    ),
    path("send/accepted", views.send_accepted, name="accepted"),
    path("sent/", views.sent_list, name="list"),
    path("sent/<str:identifier>/", views.sent_job, name="job"),
    path("sent/<str:identifier>/pages/<int:page>.png", views.sent_job_page, name="job_page"),
    path("sent/<str:identifier>/cancel", views.sent_cancel, name="cancel"),
    path("sent/<str:identifier>/resend", views.sent_resend, name="resend"),
    path("sent/<str:identifier>/receipt", views.sent_receipt, name="receipt"),
]
