"""Outbound Activity and Inbound Activity: the two lists of faxes administrators search
every day. One definition per list (:mod:`.outbound`, :mod:`.inbound`, on the engine of
:mod:`.filters`) serves the portal page (:mod:`.views`) and ``/api/v1/activity/...``
(:mod:`.api`) alike (DESIGN.md convention 6; docs/decisions/0035-activity-lists.md)."""
