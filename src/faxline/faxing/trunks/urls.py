"""Settings ▸ SIP Trunks (operators only), in its own URL namespace (``sip_trunks``)."""

from django.urls import path

from faxline.faxing.trunks import views

app_name = "sip_trunks"

urlpatterns = [
    path("", views.trunk_list, name="list"),
    path("add/", views.trunk_add, name="add"),
    path("<int:trunk_id>/", views.trunk_edit, name="edit"),
    path("<int:trunk_id>/delete/", views.trunk_delete, name="delete"),
    path("<int:trunk_id>/<str:action>/", views.trunk_switch, name="switch"),
    path("fallbacks/<int:fallback_id>/clear/", views.fallback_clear, name="fallback_clear"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
