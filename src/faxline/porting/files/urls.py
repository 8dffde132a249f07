"""Number Porting pages of the Files tab: uploads, downloads, the LOA and its e-signature
(in the portal, and from the emailed link without an account)."""

from django.urls import path

from faxline.porting.files import facts_views, views

urlpatterns = [
    path("<int:request_id>/files/", views.files, name="files"),
    path("<int:request_id>/files/<int:document_id>/", views.document, name="document"),
    path(
        "<int:request_id>/files/<int:document_id>/facts/",
        facts_views.document_facts,
        name="document_facts",
    ),
    path(
        "<int:request_id>/files/<int:document_id>/facts/<str:fact>.png",
        facts_views.document_snippet,
        name="document_snippet",
    ),
    path("<int:request_id>/loa/", views.loa, name="loa"),
    path("<int:request_id>/loa/send/", views.loa_send, name="loa_send"),
    path("sign/<str:token>/", views.loa_public, name="loa_public"),
]
