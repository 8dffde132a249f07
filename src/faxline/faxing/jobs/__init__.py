"""Outbound fax jobs: acceptance (``send``), the one owner of a job's status (``state``),
the dispatcher that places the calls and applies the retry policy (``dispatcher``), reads
(``selectors``) and the REST API (``api``)."""
