"""Accounting: the Call Detail Records (CDR) of a company, as CSV files.

One file per calendar month (UTC), made once the month has ended, for every company that
had billable activity in it; for the current month, on demand, one file per day so far.
Files are kept six months, encrypted in the vault. Only company-level administrators (with
"View accounting") and the company's channel partner and the provider's operators see them.
See ``docs/cdr.md`` for the columns and the rules.
"""
