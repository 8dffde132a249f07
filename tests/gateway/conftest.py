from gateway.gateway_support import dns_server, gateway, inbox  # noqa: F401

from cast import cast  # noqa: F401
