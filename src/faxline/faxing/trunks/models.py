"""SIP trunks as the provider's operators configure them, the T.38 fallbacks the transport
learns, and the operators' per-destination media rules (imported by ``faxline.faxing.models``).

The transport never reads these rows: faxing hands it :class:`TrunkConfig` values (decrypted)
and answers its questions through ``faxing.trunks.selectors`` (see
``telephony/sip/config.py``).
"""

from __future__ import annotations

from django.db import models

from faxline.core.crypto import EncryptedTextField
from faxline.telephony.sip.config import (
    CallerIdFormat,
    Codec,
    SipTransportName,
    T38Mode,
    TrunkConfig,
)

T38_CHOICES = [
    (T38Mode.PREFERRED.value, "T.38 preferred"),
    (T38Mode.G711_ONLY.value, "G.711 only"),
    (T38Mode.T38_ONLY.value, "T.38 only"),
]
TRANSPORT_CHOICES = [(t.value, t.value.upper()) for t in SipTransportName]
CALLER_ID_CHOICES = [
    (CallerIdFormat.E164.value, "E.164 (+12125550100)"),
    (CallerIdFormat.NATIONAL.value, "National (2125550100)"),
    (CallerIdFormat.ONE_NATIONAL.value, "1 + national (12125550100)"),
]
CODEC_VALUES = frozenset(c.value for c in Codec)
DEFAULT_CODECS = [Codec.PCMU.value, Codec.PCMA.value]


def default_codecs() -> list[str]:
    return list(DEFAULT_CODECS)


class SipTrunk(models.Model):
    """One carrier's SIP trunk: where to send calls, how to authenticate, what it carries.

    ``register``: a registration-based trunk (REGISTER every ``register_expires`` seconds
    with ``username``/``password``); otherwise IP-authenticated. ``password`` is encrypted at
    rest and never shown back: pages say whether one is set. ``codecs`` is an ordered subset
    of PCMU/PCMA (the order of the SDP offer); ``destinations`` the E.164 prefixes it carries
    (empty: every destination). Lower ``priority`` is tried first, then by name.
    """

    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=5060)
    transport = models.CharField(
        max_length=3, choices=TRANSPORT_CHOICES, default=SipTransportName.UDP.value
    )
    username = models.CharField(max_length=100, blank=True)
    password = EncryptedTextField(blank=True, default="")
    auth_username = models.CharField(max_length=100, blank=True)
    register = models.BooleanField(default=False)
    register_expires = models.PositiveIntegerField(default=3600)
    outbound_proxy = models.CharField(max_length=260, blank=True)
    domain = models.CharField(max_length=253, blank=True)
    codecs = models.JSONField(default=default_codecs)
    t38_mode = models.CharField(max_length=10, choices=T38_CHOICES, default=T38Mode.PREFERRED.value)
    caller_id_format = models.CharField(
        max_length=12, choices=CALLER_ID_CHOICES, default=CallerIdFormat.E164.value
    )
    channels = models.PositiveIntegerField(default=30)
    priority = models.PositiveIntegerField(default=10)
    destinations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The SIP transport's keep-alive (OPTIONS every 30 s): the last answer and when.
    seen_status = models.PositiveIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "name"]
        indexes = [models.Index(fields=["enabled", "priority", "name"], name="sip_trunk_route")]

    def __str__(self) -> str:
        return self.name

    @property
    def reachable(self) -> bool | None:
        """Whether the carrier answered our last keep-alive (None: not asked yet)."""
        if self.seen_status is None:
            return None
        return self.seen_status not in (408, 503)

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    @property
    def address(self) -> str:
        """``host:port/transport`` as the list shows it (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}/{self.transport}"

    def to_config(self) -> TrunkConfig:
        """The trunk as the SIP transport uses it (the password decrypted)."""
        return TrunkConfig(
            key=str(self.pk),
            name=self.name,
            host=self.host,
            port=self.port,
            transport=SipTransportName(self.transport),
            username=self.username,
            password=self.password or "",
            auth_username=self.auth_username,
            register=self.register,
            register_expires=self.register_expires,
            outbound_proxy=self.outbound_proxy,
            domain=self.domain,
            codecs=tuple(Codec(c) for c in self.codecs if c in CODEC_VALUES),
            t38=T38Mode(self.t38_mode),
            caller_id=CallerIdFormat(self.caller_id_format),
            channels=self.channels,
            priority=self.priority,
            destinations=tuple(self.destinations or ()),
            enabled=self.enabled,
        )


class T38Fallback(models.Model):
    """A destination whose T.38 call failed (the carrier refused the switch with 488, or the
    T.38 exchange broke): its calls go in G.711 until ``expires_at``. One row per
    destination, refreshed by each new failure (``t38_failure_learn``); operators see and
    clear them on the SIP Trunks page."""

    destination = models.CharField(max_length=16, unique=True)
    trunk = models.ForeignKey(
        SipTrunk, null=True, blank=True, on_delete=models.SET_NULL, related_name="t38_fallbacks"
    )
    reason = models.CharField(max_length=200, blank=True)
    learned_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-learned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.destination} G.711 until {self.expires_at:%Y-%m-%d}"


class DestinationMediaRule(models.Model):
    """An operator's rule: calls to numbers starting with ``prefix`` (E.164: ``+44``,
    ``+4420``) use ``t38_mode`` whatever the trunk's mode and any learned fallback; the
    longest matching prefix wins."""

    prefix = models.CharField(max_length=16, unique=True)
    t38_mode = models.CharField(max_length=10, choices=T38_CHOICES)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.get_t38_mode_display()}"
