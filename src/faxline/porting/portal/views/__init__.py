"""Number Porting in the portal, the customer's side (Settings ▸ Number Porting), one module
per page:

- ``port_requests``: the Port Requests list;
- ``new_request``: the + New Port Request wizard, with its live first-time-right checks
  (``live_checks``);
- ``details``: a request's page with its Details, Files, Notes and Timeline tabs, Submit
  and Cancel; ``notes``: posting a note; ``edit``: Edit (a Draft) and Fix and resubmit;
  ``changes``: Request a change, and the team's Accept / Refuse;
- ``bulk_import``: the bulk import of a CSV file.

Every read goes through the porting selectors and every write through the porting services
(which enforce the rights); the pages only hide what the acting person cannot do, and
``faxline.portal.toolkit`` turns the services' refusals into pages. htmx swaps wizard steps
and tab panes; without JavaScript the same URLs answer with whole pages.
"""
