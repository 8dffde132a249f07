"""URLs of the Webhooks page (Settings ▸ Webhooks)."""

from django.urls import path

from faxline.notify.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("<int:webhook_id>/", views.webhook_endpoint, name="endpoint"),
    path("<int:webhook_id>/<str:action>/", views.webhook_action, name="action"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.webhook_redeliver,
        name="redeliver",
    ),
]
