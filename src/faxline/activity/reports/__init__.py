"""Reports (the guide's Activity → Reports): outbound and inbound performance and usage
summaries over a rolling 90 days, read from faxing's traffic tallies.

Each report is declared once in :mod:`.catalog` (its slug, title, the guide's description,
the filters it takes, how its rows are computed from the tallies and its chart); the portal
page, its CSV export and ``/api/v1/reports/<direction>/<report>`` all serve that one
definition through :mod:`.selectors` (scope, filters, rights). Decision 0037.
"""
