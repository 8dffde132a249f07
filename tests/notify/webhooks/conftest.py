from cast import cast  # noqa: F401
from notify.webhooks.receiver import allow_loopback, receiver  # noqa: F401
