"""Webhooks: a company's endpoints, the events published to them, and their deliveries.

``core.events.publish_event`` (registered in ``NotifyConfig.ready``) records an event and one
delivery per subscribed endpoint in the caller's transaction; the task worker POSTs each
delivery, signed (``signing.py``), to the vetted address of the endpoint's URL
(``delivery.py``), retrying on the schedule of ``services.RETRY``; then the endpoint is
paused and the company's administrators are told. See ``docs/webhooks.md`` and
``docs/decisions/0032-webhooks.md``.
"""
