"""Tenancy and hierarchy: channel partners, companies, departments, users, API keys,
security policies and password history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from faxline.accounts.choices import ADMIN_ROLES, BulkJobStatus, BulkRowStatus, Role
from faxline.accounts.preferences import default_settings
from faxline.core.crypto import EncryptedTextField


class ChannelPartner(models.Model):
    """A reseller who onboards and configures the client companies assigned to it."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """A customer of the provider: the root of one account hierarchy."""

    name = models.CharField(max_length=200)
    channel_partner = models.ForeignKey(
        ChannelPartner, null=True, blank=True, on_delete=models.SET_NULL, related_name="companies"
    )
    domain = models.CharField(max_length=253, blank=True)
    settings = models.JSONField(default=default_settings)
    # The header line on every transmitted page (docs/decisions/0024-...): on or off, and
    # the sender ident it shows (blank: the company's name).
    header_line = models.BooleanField(default=True)
    header_ident = models.CharField(max_length=50, blank=True)
    # The most fax numbers the company may hold; operators raise it on request.
    max_inventory = models.PositiveIntegerField(default=25)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [models.UniqueConstraint(Lower("name"), name="company_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department of a company; departments nest to any depth.

    ``path`` is the materialized chain of ids (``/3/8/12/``) so that a subtree is one
    ``path__startswith`` query; it never changes after creation (departments are not moved).
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=100)
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    settings = models.JSONField(default=default_settings)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                "company", "parent", Lower("name"), name="department_sibling_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Department]:
        """Ancestors from the top-level department down to the parent."""
        ids = [int(p) for p in self.path.strip("/").split("/")[:-1] if p]
        by_id = {d.pk: d for d in Department.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    @property
    def full_name(self) -> str:
        """``Billing Dept -> Billing Level 1 -> Billing Level 2``, as the guide shows it."""
        return " -> ".join([a.name for a in self.ancestors()] + [self.name])


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        """Create a user without policy checks (fixtures and bootstrapping only).

        Portal, API and bulk creation go through ``accounts.services.user_create``.
        """
        extra.setdefault("role", Role.FAX_USER)
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        return user


class User(AbstractBaseUser):
    """Every person who signs in: operators, channel partner staff, administrators, fax users.

    ``department`` is the user's place in the hierarchy (for administrators, the level they
    administer); ``None`` means the company level.
    """

    username = models.CharField(max_length=150, unique=True)
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FAX_USER)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    channel_partner = models.ForeignKey(
        ChannelPartner, null=True, blank=True, on_delete=models.CASCADE, related_name="staff"
    )

    # Administrators: rights are codes from accounts.rights; read-only changes nothing.
    rights = models.JSONField(default=list, blank=True)
    read_only = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    language = models.CharField(max_length=10, default="en")

    # Contact details (used on coverpages).
    address1 = models.CharField(max_length=200, blank=True)
    address2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, default="US")
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    custom1 = models.CharField(max_length=200, blank=True)
    custom2 = models.CharField(max_length=200, blank=True)
    custom3 = models.CharField(max_length=200, blank=True)
    custom4 = models.CharField(max_length=200, blank=True)

    # Fax settings of a fax user (the tabs live in ``settings``).
    sending_email = models.EmailField(max_length=254, blank=True)
    receiving_emails = models.JSONField(default=list, blank=True)
    settings = models.JSONField(default=dict, blank=True)

    # Lock User (by an administrator) and temporary lock-out (failed sign-ins).
    is_locked = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_out_until = models.DateTimeField(null=True, blank=True)

    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_staff(self) -> bool:  # Django admin site access
        return self.role == Role.OPERATOR


class SecurityPolicy(models.Model):
    """Password and sign-in rules. The global policy has neither company nor department;
    a company or department may customize its own, which applies to its whole subtree
    unless a deeper department customizes again."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="policies"
    )
    department = models.OneToOneField(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="policy"
    )
    description = models.CharField(max_length=200, blank=True)
    min_length = models.PositiveSmallIntegerField(default=8)
    max_length = models.PositiveSmallIntegerField(default=100)
    min_alpha = models.PositiveSmallIntegerField(default=1)
    min_upper = models.PositiveSmallIntegerField(default=0)
    min_numeric = models.PositiveSmallIntegerField(default=1)
    min_special = models.PositiveSmallIntegerField(default=1)
    history_count = models.PositiveSmallIntegerField(default=0)
    min_age_days = models.PositiveSmallIntegerField(default=0)
    max_age_days = models.PositiveSmallIntegerField(default=0)
    exclude_personal_info = models.BooleanField(default=False)
    lockout_attempts = models.PositiveSmallIntegerField(default=6)
    lockout_minutes = models.PositiveSmallIntegerField(default=5)
    session_timeout_minutes = models.PositiveSmallIntegerField(default=60)
    force_change_by_admin = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "security policies"
        constraints = [
            models.UniqueConstraint(
                "company",
                condition=models.Q(department__isnull=True),
                name="policy_one_per_company",
            ),
        ]

    def __str__(self) -> str:
        return self.description or "Security policy"

    @property
    def is_global(self) -> bool:
        return self.company_id is None and self.department_id is None


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, for the policy's history count."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password of {self.user_id} set {self.created_at:%Y-%m-%d}"


class ApiKey(models.Model):
    """An API key of a user: shown once, stored as a keyed digest, revocable.

    A request with ``Authorization: Bearer <key>`` acts as the user, with exactly their rights.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PasswordResetToken(models.Model):
    """A one-time password reset link; the token itself is only ever in the email."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reset link of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class BulkCreateJob(models.Model):
    """One Bulk Create upload, worked through by the task worker (``accounts/bulk.py``).

    The row is the truth and the task a nudge (``docs/decisions/0005-work-after-commit.md``):
    the upload is checked and stored here in one short transaction, then the worker creates
    the accounts a small batch at a time, recording each row's outcome in
    :class:`BulkCreateRow` in the same transaction as the account. ``source`` is the CSV
    text (encrypted: it may hold passwords), cleared once the job is done. ``heartbeat_at``
    is the last sign of life (upload, claim, every batch); a stale one lets the sweep nudge
    the job again and another worker continue it.
    Generated passwords are revealed once, to the person who uploaded the file
    (``passwords_revealed_at``).
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bulk_jobs")
    default_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    source = EncryptedTextField(blank=True)
    # Rows without a password: email a link to choose one (else generate one, shown once).
    password_links = models.BooleanField(default=False)
    # The welcome message each created account is sent (the Notifications tab's choices:
    # none, welcome, with_credentials), chosen at upload.
    welcome_message = models.CharField(max_length=20, default="none")
    status = models.CharField(
        max_length=10, choices=BulkJobStatus.choices, default=BulkJobStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    passwords_revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Bulk Create {self.pk} of {self.company_id} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status == BulkJobStatus.DONE

    @property
    def percent(self) -> int:
        """How far the worker got, 0 to 100."""
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class BulkCreateRow(models.Model):
    """The outcome of one data row of a Bulk Create file, written in the same transaction
    as the account it created (so a job that is run again never creates it twice).
    ``generated_password`` (encrypted) is kept only until it has been shown once."""

    job = models.ForeignKey(BulkCreateJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    line = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=BulkRowStatus.choices)
    username = models.CharField(max_length=254, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    field = models.CharField(max_length=64, blank=True)
    generated_password = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="accounts_bulk_row_once")
        ]

    def __str__(self) -> str:
        return f"row {self.row} of Bulk Create {self.job_id}: {self.status}"


class CoverPageTemplate(models.Model):
    """A cover page template uploaded for a company (``department`` None) or a department:
    a one-page PDF checked by ``documents.coverpage.check_template``, stored encrypted in
    the vault (``vault_name``) with its SHA-256, and the cover fields its form fills
    (``field_names``; empty for a letterhead). The levels below may use it unless they
    choose "Only my cover(s)"; the built-in "faxline Default" is not a row."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cover_pages")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="cover_pages"
    )
    name = models.CharField(max_length=100)
    vault_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    field_names = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("name"),
                condition=models.Q(department__isnull=True),
                name="cover_page_name_unique_company",
            ),
            models.UniqueConstraint(
                "department",
                Lower("name"),
                condition=models.Q(department__isnull=False),
                name="cover_page_name_unique_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """How the Coverpage tab's ``default_coverpage`` names this cover."""
        return f"cover:{self.pk}"

    @property
    def is_static(self) -> bool:
        """A letterhead: no form fields, the fields block drawn in its reserved area."""
        return not self.field_names


class BlockedNumber(models.Model):
    """A fax number a company's users may not send to (the Fax tab's Outbound Number
    Blocking). ``number`` is E.164 (``+17329200193``), whatever spelling it was typed in,
    and unique per company: the unique constraint's index is the fax engine's lookup
    (``accounts.selectors.number_is_blocked``)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="blocked_numbers")
    number = models.CharField(max_length=16)
    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint("company", "number", name="blocked_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number
