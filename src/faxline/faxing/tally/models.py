"""Per-day tallies of a company's fax traffic (imported by ``faxline.faxing.models``).

A row counts the faxes of one day (UTC, by acceptance for outbound jobs, by reception for
inbound faxes) for one key: the company, the department and the user the fax was counted
under (0: none) and our number (outbound: the sender's number; inbound: the number called).
Every change of a job or a received fax moves its contribution from the old counts to the
new ones in the transaction of the change (``faxline.faxing.tally.services``), so a report
over 90 days reads at most a row per key and day instead of every fax.
"""

from __future__ import annotations

from django.db import models


class Direction(models.TextChoices):
    OUTBOUND = "out", "Outbound"
    INBOUND = "in", "Inbound"


class _Keyed(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Plain ids, 0 for none (a unique key must not hold NULLs, which never collide); a
    # deleted department or user keeps its rows, reachable by nobody's filter.
    department_key = models.PositiveIntegerField(default=0)
    user_key = models.PositiveIntegerField(default=0)
    number = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class DailyTraffic(_Keyed):
    """One direction's counts for a key and day. ``faxes`` every job accepted (received
    fax); ``success`` / ``failed`` / ``cancelled`` those finished so; ``partial`` received
    faxes flagged as potential partials; ``pages`` of every fax, ``pages_success`` of the
    successful ones; ``first_wait_*`` the time to the first dial (outbound) or the first
    forward (inbound); ``completion_*`` acceptance to the end (outbound, finished jobs);
    ``busy`` calls that met a busy line."""

    direction = models.CharField(max_length=3, choices=Direction.choices)
    faxes = models.IntegerField(default=0)
    success = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    partial = models.IntegerField(default=0)
    pages = models.BigIntegerField(default=0)
    pages_success = models.BigIntegerField(default=0)
    first_wait_count = models.IntegerField(default=0)
    first_wait_seconds = models.FloatField(default=0.0)
    completion_count = models.IntegerField(default=0)
    completion_seconds = models.FloatField(default=0.0)
    busy = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "direction", "day", "department_key", "user_key", "number"],
                name="daily_traffic_key",
            )
        ]
        indexes = [models.Index(fields=["company", "direction", "day"], name="daily_traffic_day")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.direction} {self.day} {self.number}: {self.faxes}"


class DailyError(_Keyed):
    """Failed faxes of a key and day by the error's name ("Busy", "No Answer"...); inbound:
    "No fax data" and "Potential partial"."""

    direction = models.CharField(max_length=3, choices=Direction.choices)
    error = models.CharField(max_length=40)
    faxes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "company",
                    "direction",
                    "day",
                    "department_key",
                    "user_key",
                    "number",
                    "error",
                ],
                name="daily_error_key",
            )
        ]
        indexes = [models.Index(fields=["company", "direction", "day"], name="daily_error_day")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.direction} {self.day} {self.error}: {self.faxes}"


class DailyDestination(_Keyed):
    """Outbound jobs of a key and day by destination (``remote``): the Highest Volume and
    Frequent Busy Destinations, and the Dashboard's Top Destinations."""

    remote = models.CharField(max_length=16)
    faxes = models.IntegerField(default=0)
    success = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    pages = models.BigIntegerField(default=0)
    busy = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "department_key", "user_key", "number", "remote"],
                name="daily_destination_key",
            )
        ]
        indexes = [models.Index(fields=["company", "day"], name="daily_destination_day")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} → {self.remote}: {self.faxes}"


class _RemoteCounts(models.Model):
    """Outbound jobs of a company by destination only (no department, user or number):
    what a whole company's top lists read, a row per destination and day or month instead
    of one per sender as well (decision 0034, "Top lists")."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    remote = models.CharField(max_length=16)
    faxes = models.IntegerField(default=0)
    success = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    pages = models.BigIntegerField(default=0)
    busy = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRemote(_RemoteCounts):
    """A company's outbound jobs to one destination on one day."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "day", "remote"], name="daily_remote_key")
        ]
        indexes = [models.Index(fields=["company", "remote", "day"], name="daily_remote_remote")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} → {self.remote}: {self.faxes}"


class MonthlyRemote(_RemoteCounts):
    """A company's outbound jobs to one destination in one month (``month``: its first
    day): an upper bound of any window within the month, for the top lists' candidates."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "month", "remote"], name="monthly_remote_key"
            )
        ]
        indexes = [models.Index(fields=["company", "month"], name="monthly_remote_month")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m} → {self.remote}: {self.faxes}"


class DailyArea(models.Model):
    """A company's outbound jobs by the destination's country and area code (``area``:
    the number's first five characters, "+1206") and day: the Dashboard's Top
    Destinations for a whole company."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    area = models.CharField(max_length=5)
    faxes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "day", "area"], name="daily_area_key")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} {self.area}: {self.faxes}"
