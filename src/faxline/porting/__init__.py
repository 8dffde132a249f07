"""Number porting: moving a customer's existing numbers in, customer side and provider side.

The app is split along the portal's words, each part with the usual files (services,
selectors, api, views, forms, urls):

- :mod:`~faxline.porting.requests`: port requests, the state machine and its transitions,
  change requests, completion, service addresses, bulk import, the customer API.
- :mod:`~faxline.porting.validation`: the first-time-right engine (``faxline porting
  validate``, ``POST /api/v1/porting/validate``) and the checks of a stored request.
- :mod:`~faxline.porting.files`: a request's Files and the e-signed Letter of Authorization.
- :mod:`~faxline.porting.desk`: the porting desk of the provider's operators.
- :mod:`~faxline.porting.carriers`: carrier adapters (manual, sandbox) behind one interface.
- :mod:`~faxline.porting.portal`: the customer's Number Porting pages.

``models.py`` and ``choices.py`` (data and states) and ``access.py`` (who may do what) are
shared by the parts.
"""
