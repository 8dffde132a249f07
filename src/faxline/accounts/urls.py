"""Account Administration pages (Settings ▸ Account Administration)."""

from django.urls import path

from faxline.accounts.views import (
    administrator_add,
    blocking,
    bulk_create,
    company_add,
    coverpages,
    department_add,
    details,
    partners,
    tree,
    user_add,
)

app_name = "accounts"

urlpatterns = [
    # The tree and the actions of its nodes' menus (views/tree.py).
    path("", tree.tree, name="tree"),
    path("tree/children/", tree.tree_children, name="tree_children"),
    path("tree/search/", tree.tree_search, name="tree_search"),
    path(
        "departments/<int:department_id>/delete/", tree.department_delete, name="department_delete"
    ),
    path("users/<int:user_id>/lock/", tree.user_lock, name="user_lock"),
    path("users/<int:user_id>/unlock/", tree.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/delete/", tree.user_delete, name="user_delete"),
    # The Add pages, one module each.
    path("companies/add/", company_add.company_add, name="company_add"),
    path(
        "companies/<int:company_id>/departments/add/",
        department_add.department_add,
        name="department_add",
    ),
    path("companies/<int:company_id>/users/add/", user_add.user_add, name="user_add"),
    path("companies/<int:company_id>/users/bulk/", bulk_create.users_bulk, name="users_bulk"),
    path(
        "companies/<int:company_id>/users/bulk/<int:job_id>/",
        bulk_create.users_bulk_job,
        name="users_bulk_job",
    ),
    path(
        "companies/<int:company_id>/administrators/add/",
        administrator_add.administrator_add,
        name="administrator_add",
    ),
    # Details pages with their tabs (views/details.py).
    path("companies/<int:company_id>/", details.company_details, name="company_details"),
    path(
        "departments/<int:department_id>/",
        details.department_details,
        name="department_details",
    ),
    path("users/<int:user_id>/", details.user_details, name="user_details"),
    path(
        "administrators/<int:user_id>/",
        details.administrator_details,
        name="administrator_details",
    ),
    # Browse: cover page previews (views/coverpages.py).
    path(
        "cover-pages/default/preview/",
        coverpages.cover_preview_default,
        name="cover_preview_default",
    ),
    path("cover-pages/<int:cover_id>/preview/", coverpages.cover_preview, name="cover_preview"),
    # Outbound Number Blocking's Export (views/blocking.py).
    path(
        "companies/<int:company_id>/blocked-numbers.csv",
        blocking.blocked_numbers_export,
        name="blocked_numbers_export",
    ),
    # Channel partners (views/partners.py).
    path("partners/", partners.partners, name="partners"),
]
