"""The SIP Trunks page's forms: shapes only; the rules are the services' (their refusals
are shown next to the field they name)."""

from __future__ import annotations

from typing import Any

from django import forms

from faxline.accounts.forms import BootstrapForm
from faxline.faxing.trunks.models import (
    CALLER_ID_CHOICES,
    T38_CHOICES,
    TRANSPORT_CHOICES,
    SipTrunk,
)
from faxline.faxing.trunks.validation import split_prefixes

AUTH_IP = "ip"
AUTH_REGISTER = "register"
CODEC_CHOICES = [
    ("PCMU,PCMA", "PCMU (µ-law), then PCMA (A-law)"),
    ("PCMA,PCMU", "PCMA (A-law), then PCMU (µ-law)"),
    ("PCMU", "PCMU (µ-law) only"),
    ("PCMA", "PCMA (A-law) only"),
]


class TrunkForm(BootstrapForm):
    """Add trunk and Edit trunk. On Edit, a blank password keeps the stored one."""

    name = forms.CharField(label="Name", max_length=100)
    host = forms.CharField(
        label="Host",
        max_length=253,
        help_text="The carrier's SIP server: a host name or an IP address.",
    )
    port = forms.IntegerField(label="Port", initial=5060)
    transport = forms.ChoiceField(label="Transport", choices=TRANSPORT_CHOICES, initial="udp")
    authentication = forms.ChoiceField(
        label="Authentication",
        choices=[
            (AUTH_IP, "IP-authenticated: the carrier knows our address"),
            (AUTH_REGISTER, "Registration: we REGISTER with a username and password"),
        ],
        initial=AUTH_IP,
        widget=forms.RadioSelect,
    )
    username = forms.CharField(label="Username", max_length=100, required=False)
    password = forms.CharField(
        label="Password",
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_password = forms.BooleanField(label="Remove the stored password", required=False)
    auth_username = forms.CharField(
        label="Authentication username",
        max_length=100,
        required=False,
        help_text="Only when the carrier's digest user differs from the username.",
    )
    register_expires = forms.IntegerField(
        label="Registration expires (seconds)", initial=3600, required=False
    )
    outbound_proxy = forms.CharField(
        label="Outbound proxy",
        max_length=260,
        required=False,
        help_text="host or host:port every request is sent to (optional).",
    )
    domain = forms.CharField(
        label="SIP domain",
        max_length=253,
        required=False,
        help_text="The domain of To and the Request-URI (default: the host).",
    )
    codecs = forms.ChoiceField(label="Codecs", choices=CODEC_CHOICES, initial="PCMU,PCMA")
    t38_mode = forms.ChoiceField(label="T.38", choices=T38_CHOICES, initial="preferred")
    caller_id_format = forms.ChoiceField(
        label="Caller ID format", choices=CALLER_ID_CHOICES, initial="e164"
    )
    channels = forms.IntegerField(
        label="Channels", initial=30, help_text="The most calls at once over this trunk."
    )
    priority = forms.IntegerField(label="Priority", initial=10, help_text="Lower is tried first.")
    destinations = forms.CharField(
        label="Destinations",
        required=False,
        max_length=2000,
        help_text="E.164 prefixes this trunk carries, e.g. +1, +44 (empty: every destination).",
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(self, *args: Any, trunk: SipTrunk | None = None, **kwargs: Any) -> None:
        if trunk is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(trunk)
        super().__init__(*args, **kwargs)
        self.trunk = trunk
        if trunk is None:
            del self.fields["clear_password"]
        else:
            self.fields["password"].help_text = (
                "Stored (leave blank to keep it)." if trunk.has_password else "Not set."
            )

    def service_arguments(self) -> dict[str, Any]:
        """What the trunk services take, from the cleaned data."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            name: data[name]
            for name in (
                "name",
                "host",
                "port",
                "transport",
                "username",
                "auth_username",
                "outbound_proxy",
                "domain",
                "t38_mode",
                "caller_id_format",
                "channels",
                "priority",
                "enabled",
            )
        }
        arguments["register"] = data["authentication"] == AUTH_REGISTER
        arguments["register_expires"] = (
            data["register_expires"] if data["register_expires"] is not None else 3600
        )
        arguments["codecs"] = data["codecs"].split(",")
        arguments["destinations"] = split_prefixes(data["destinations"])
        arguments["password"] = data["password"]
        if "clear_password" in self.fields:
            arguments["clear_password"] = bool(data.get("clear_password"))
        return arguments


def initial_of(trunk: SipTrunk) -> dict[str, Any]:
    """The Edit form filled with the trunk as it is (never its password)."""
    return {
        "name": trunk.name,
        "host": trunk.host,
        "port": trunk.port,
        "transport": trunk.transport,
        "authentication": AUTH_REGISTER if trunk.register else AUTH_IP,
        "username": trunk.username,
        "auth_username": trunk.auth_username,
        "register_expires": trunk.register_expires,
        "outbound_proxy": trunk.outbound_proxy,
        "domain": trunk.domain,
        "codecs": ",".join(trunk.codecs or []),
        "t38_mode": trunk.t38_mode,
        "caller_id_format": trunk.caller_id_format,
        "channels": trunk.channels,
        "priority": trunk.priority,
        "destinations": ", ".join(trunk.destinations or []),
        "enabled": trunk.enabled,
    }


class RuleForm(BootstrapForm):
    """Add a destination rule."""

    # Not "prefix": that is the form's own attribute (the prefix of its field names).
    rule_prefix = forms.CharField(
        label="Destination prefix", max_length=20, help_text="E.164, e.g. +44 or +4420."
    )
    t38_mode = forms.ChoiceField(label="Media", choices=T38_CHOICES)
    note = forms.CharField(label="Note", max_length=200, required=False)
