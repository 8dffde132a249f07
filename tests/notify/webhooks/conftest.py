from notify.webhooks.receiver import allow_loopback, receiver  # noqa: F401

from cast import cast  # noqa: F401
