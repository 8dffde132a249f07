"""Inbound faxes: reception on our numbers, delivery by the number's route, the message
events, the API, retention (``docs/decisions/0028-inbound-faxes.md``)."""
