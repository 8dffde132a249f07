"""Account Administration pages (Settings ▸ Account Administration)."""

from django.urls import path

from faxline.accounts import details_views, partners_views, views

app_name = "accounts"

urlpatterns = [
    # The tree and the actions on its nodes (views.py).
    path("", views.tree, name="tree"),
    path("companies/add/", views.company_add, name="company_add"),
    path(
        "companies/<int:company_id>/departments/add/", views.department_add, name="department_add"
    ),
    path("companies/<int:company_id>/users/add/", views.user_add, name="user_add"),
    path("companies/<int:company_id>/users/bulk/", views.users_bulk, name="users_bulk"),
    path(
        "companies/<int:company_id>/users/bulk/<int:job_id>/",
        views.users_bulk_job,
        name="users_bulk_job",
    ),
    path(
        "departments/<int:department_id>/delete/", views.department_delete, name="department_delete"
    ),
    path("users/<int:user_id>/lock/", views.user_lock, name="user_lock"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/delete/", views.user_delete, name="user_delete"),
    # Details pages with their tabs (details_views.py).
    path("companies/<int:company_id>/", details_views.company_details, name="company_details"),
    path(
        "companies/<int:company_id>/administrators/add/",
        details_views.administrator_add,
        name="administrator_add",
    ),
    path(
        "departments/<int:department_id>/",
        details_views.department_details,
        name="department_details",
    ),
    path("users/<int:user_id>/", details_views.user_details, name="user_details"),
    path(
        "administrators/<int:user_id>/",
        details_views.administrator_details,
        name="administrator_details",
    ),
    # Channel partners (partners_views.py).
    path("partners/", partners_views.partners, name="partners"),
]
