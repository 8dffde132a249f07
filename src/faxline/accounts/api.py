"""REST API of the accounts domain (departments, users, administrators, settings, policy)."""

from ninja import Router

router = Router()
