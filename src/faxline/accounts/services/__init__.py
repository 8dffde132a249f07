"""Every write of the accounts domain, by topic. One transaction per call; refusals raise
domain errors; rights are checked here, never only in the portal.

Callers (the API, the portal, bulk creation, onboarding, the demo command) import the
functions from the topic module: ``from faxline.accounts.services.users import user_create``.
"""
