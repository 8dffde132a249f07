"""Bulk Create: many fax user accounts from one CSV file, created by the task worker.

Work after commit (``docs/decisions/0005-work-after-commit.md``), in three steps:

1. :func:`bulk_create_submit` (the portal's Upload, ``POST /api/v1/users/bulk``) checks the
   rights and the file as a whole (size, encoding, header, number of rows: a file that fails
   creates nothing), stores it as a :class:`~faxline.accounts.models.BulkCreateJob` in one
   short transaction and nudges the task after commit. The request answers at once.
2. :func:`bulk_create_run` (the task ``accounts.tasks.bulk_create_run``) claims the job and
   works through the rows a small batch at a time: each batch is checked and its passwords
   hashed outside any transaction (hashing is slow on purpose), then written in one short
   transaction, a savepoint per row, together with each row's outcome. So a refused row
   leaves nothing behind, the database's write lock is held for milliseconds, and running a
   job again continues where it stopped without creating anyone twice.
3. :func:`bulk_create_report` gives the outcome row by row, as the portal's progress page
   polls it and ``GET /api/v1/users/bulk/{job_id}`` returns it; generated passwords are
   shown once, to the person who uploaded the file.

:func:`bulk_create_sweep` (periodic) nudges jobs whose nudge was lost or whose worker died,
and erases generated passwords nobody came to see.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_see_bulk_job
from faxline.accounts.choices import BulkJobStatus, BulkRowStatus
from faxline.accounts.models import BulkCreateJob, BulkCreateRow, Company, Department
from faxline.accounts.passwords import password_link_send
from faxline.accounts.preferences import WelcomeMessage, complete
from faxline.accounts.services.users import UserDraft, user_prepare, user_save
from faxline.accounts.services.welcome import bulk_welcome_choice, welcome_queue
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.audit import audit_record
from faxline.core.csvfile import decode_csv, read_records
from faxline.core.errors import DomainError, NotFound, ValidationFailed

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
MAX_RECEIVING = 3

REQUIRED_COLUMNS = ("first_name", "last_name", "email")
COLUMNS = (
    *REQUIRED_COLUMNS,
    "username",
    "use_email_as_username",
    "department",
    "password",
    "sending_email",
    "receiving_emails",
    "phone",
    "custom1",
    "custom2",
    "custom3",
    "custom4",
)
CONTACT_COLUMNS = ("phone", "custom1", "custom2", "custom3", "custom4")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n"})
PATH_SEPARATOR = re.compile(r"\s*->\s*")
# The services name API fields; a report names the CSV's columns.
ROW_FIELDS = {"department_id": "department"}
# Rows per batch: each batch's passwords are hashed first, then its accounts are written in
# one transaction (tens of milliseconds).
BATCH_SIZE = 20
# Batches per task run: then the job goes back to the queue behind the tasks that came
# meanwhile (a password reset email must not wait minutes for a big file).
BATCHES_PER_RUN = 5
# A running job whose worker has not renewed its heartbeat for this long has lost it
# (the worker died); a queued job not started after this long has lost its nudge.
STALE_JOB = timedelta(minutes=5)
# Generated passwords nobody came to see are erased after this long.
KEEP_GENERATED = timedelta(hours=24)


@dataclass
class BulkRow:
    """The outcome of one data row, as the report shows it. ``generated_password`` is set
    only when the password was generated, and only in the report that reveals it (once)."""

    row: int  # 1-based number of the data row (the header is not counted)
    line: int  # line of the CSV file where the row starts (the header is line 1)
    status: Literal["created", "refused"]
    username: str = ""
    user_id: int | None = None
    message: str = ""
    field: str | None = None
    generated_password: str | None = None


@dataclass
class BulkReport:
    """Every data row processed so far, in order, with what became of it."""

    job: BulkCreateJob
    rows: list[BulkRow] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.status == "created")

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if r.status == "refused")


@dataclass(frozen=True)
class _Record:
    row: int
    line: int
    values: dict[str, str]
    problem: str | None = None


def _parse(text: str) -> list[_Record]:
    """The data rows of the file; refuses the whole file when its shape is wrong."""
    columns, found = read_records(
        text, known=COLUMNS, required=REQUIRED_COLUMNS, listed=COLUMNS, max_rows=MAX_ROWS
    )
    return [
        _Record(
            r.row,
            r.line,
            r.values,
            f"The row has {r.cells} values but the header has {len(columns)} columns."
            if r.cells > len(columns)
            else None,
        )
        for r in found
    ]


class _Departments:
    """Resolves a department name or full path within what the actor may see."""

    def __init__(self, actor: Actor, company: Company) -> None:
        visible = list(selectors.department_list(actor=actor, company=company))
        full = selectors.department_full_names(visible)
        self.by_path: dict[str, Department] = {}
        self.by_name: dict[str, list[Department]] = {}
        for dept in visible:
            self.by_path[self._key(full[dept.pk])] = dept
            self.by_name.setdefault(dept.name.lower(), []).append(dept)

    @staticmethod
    def _key(path: str) -> str:
        return " -> ".join(part.lower() for part in PATH_SEPARATOR.split(path.strip()))

    def resolve(self, text: str) -> Department:
        key = self._key(text)
        if "->" in key:
            found = self.by_path.get(key)
            if found is None:
                raise NotFound(f"Department {text!r} not found.", field="department")
            return found
        matches = self.by_name.get(key, [])
        if not matches:
            raise NotFound(f"Department {text!r} not found.", field="department")
        if len(matches) > 1:
            raise ValidationFailed(
                f"More than one department is named {text!r}; give its full path "
                "(for example 'Billing Dept -> Billing Level 1').",
                field="department",
            )
        return matches[0]


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationFailed(
        "use_email_as_username must be yes or no (true/false, 1/0).",
        field="use_email_as_username",
    )


def _intended_username(values: dict[str, str]) -> str:
    """The username a row asks for, as far as it can be told before creating it."""
    try:
        use_email = _flag(values.get("use_email_as_username", ""))
    except ValidationFailed:
        return values.get("username", "").lower()
    return (values.get("email", "") if use_email else values.get("username", "")).lower()


def _prepare_row(
    *,
    actor: Actor,
    company: Company,
    record: _Record,
    departments: _Departments,
    default_department: Department | None,
    password_links: bool,
) -> UserDraft:
    """Check one row and hash its password (slow; outside any transaction). A row without
    a password gets a generated one, or with ``password_links`` none at all (a link)."""
    values = record.values
    text = values.get("department", "")
    department = departments.resolve(text) if text else default_department
    receiving = [p.strip() for p in values.get("receiving_emails", "").split(";") if p.strip()]
    if len(receiving) > MAX_RECEIVING:
        raise ValidationFailed(
            f"At most {MAX_RECEIVING} receiving email addresses.", field="receiving_emails"
        )
    password = values.get("password", "")
    return user_prepare(
        actor=actor,
        company=company,
        department=department,
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        username=values.get("username") or None,
        use_email_as_username=_flag(values.get("use_email_as_username", "")),
        password=password or None,
        generate_password=not password and not password_links,
        password_link=password_links,
        contact={c: values[c] for c in CONTACT_COLUMNS if values.get(c)},
        sending_email=values.get("sending_email") or None,
        receiving_emails=receiving or None,
    )


def _refusal(record: _Record, username: str, exc: DomainError) -> BulkCreateRow:
    return BulkCreateRow(
        row=record.row,
        line=record.line,
        status=BulkRowStatus.REFUSED,
        username=username,
        message=exc.message,
        field=ROW_FIELDS.get(exc.field or "", exc.field) or "",
    )


def _check_upload(actor: Actor, company: Company, default_department: Department | None) -> None:
    actor.require("users.bulk_create")
    actor.require("users.manage")
    if not actor.sees_company(company):
        raise NotFound("Company not found.", field="company_id")
    if default_department is not None and (
        default_department.company_id != company.pk or not actor.sees_department(default_department)
    ):
        raise NotFound("Department not found.", field="department_id")


def bulk_create_submit(
    *,
    actor: Actor,
    company: Company,
    data: bytes,
    default_department: Department | None = None,
    file_name: str = "",
    password_links: bool = False,
    welcome_message: str | None = None,
) -> BulkCreateJob:
    """Bulk Create: check a CSV file of fax user accounts and queue it for the task worker.

    Columns: first_name, last_name and email are required; username,
    use_email_as_username, department (a name or a full path such as
    ``Billing Dept -> Billing Level 1``), password (blank: generated), sending_email,
    receiving_emails (separated by semicolons, at most three), phone and custom1..custom4
    are optional. A blank department means ``default_department``, else the company level.
    A blank password is generated (shown once in the report) or, with ``password_links``,
    left unset: the user is emailed a link to choose one (nothing is hashed for them).
    ``welcome_message`` (``none``, ``welcome``, ``with_credentials``; None: the company's
    Notifications tab's choice) is sent to every account created; a welcome with
    credentials carries the link to choose a password (one email, never the password).

    The whole file is refused (``ValidationFailed`` on ``file``) when it is empty, larger
    than 1 MiB, not UTF-8 text, has unknown or missing columns or more than 1000 rows;
    nothing is stored then. Otherwise the job is stored and the worker creates or refuses
    each row on its own (:func:`bulk_create_run`); a username that appears on more than one
    row is refused on every one of them.
    """
    _check_upload(actor, company, default_department)
    welcome = bulk_welcome_choice(
        default_welcome(company) if welcome_message is None else welcome_message
    )
    text = decode_csv(data, max_bytes=MAX_BYTES)
    records = _parse(text)
    with transaction.atomic():
        job = BulkCreateJob.objects.create(
            company=company,
            default_department=default_department,
            created_by=actor.user,
            ip_address=actor.ip_address,
            file_name=file_name[:255],
            source=text,
            total=len(records),
            heartbeat_at=timezone.now(),
            password_links=password_links,
            welcome_message=welcome,
        )
        _nudge_after_commit(job.pk)
    return job


def default_welcome(company: Company) -> str:
    """The welcome message Bulk Create offers by default: the company's Notifications tab's."""
    tab = complete(company.settings or {}, ("notifications",))["notifications"]
    return str(tab["welcome_message"])


def _nudge_after_commit(job_id: int) -> None:
    from faxline.accounts.tasks import bulk_create_run as task  # tasks import this module

    enqueue_after_commit(task, job_id)


def _claim(job_id: int, now: datetime) -> bool:
    """Compare-and-set: a queued job, or a running one whose worker went silent, is ours."""
    stale = now - STALE_JOB
    return bool(
        BulkCreateJob.objects.filter(pk=job_id)
        .filter(
            Q(status=BulkJobStatus.QUEUED) | Q(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
        )
        .update(
            status=BulkJobStatus.RUNNING,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
        )
    )


def _batches(items: list[_Record], size: int) -> Iterator[list[_Record]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_create_run(*, job_id: int) -> BulkCreateJob | None:
    """Work through a Bulk Create job (the task worker's part); idempotent.

    Returns the job, or None when it is not ours to run (done, or another worker has it).
    Rows that already have an outcome are skipped, so a job interrupted anywhere continues
    where it stopped. Runs outside any transaction; each batch is one short transaction.
    After :data:`BATCHES_PER_RUN` batches the job goes back to the queue (and is nudged
    again) so that other tasks are not kept waiting.
    """
    heartbeat = timezone.now()
    if not _claim(job_id, heartbeat):
        return None
    job = BulkCreateJob.objects.select_related("company", "default_department", "created_by").get(
        pk=job_id
    )
    run = _Run(job)
    finished = set(job.rows.values_list("row", flat=True))
    pending = [r for r in run.records if r.row not in finished]
    for number, batch in enumerate(_batches(pending, BATCH_SIZE)):
        if number == BATCHES_PER_RUN:
            return _requeue(job, heartbeat)
        # Checks and hashing first, outside any transaction; then one short write.
        outcomes = [(record, run.outcome(record)) for record in batch]
        renewed = _write_batch(job, run.actor, outcomes, heartbeat)
        if renewed is None:
            log.warning("Bulk Create %s was taken over by another worker", job.pk)
            return None
        heartbeat = renewed
    _finish(job, run.actor, heartbeat)
    job.refresh_from_db()
    return job


class _Run:
    """What one run of a job needs for every row: the uploader as actor, the file's rows,
    the usernames they ask for, and the departments they may name."""

    def __init__(self, job: BulkCreateJob) -> None:
        self.job = job
        self.actor = Actor(user=job.created_by, ip_address=job.ip_address)
        self.records = _parse(job.source)
        self.intended = {r.row: _intended_username(r.values) for r in self.records}
        self.wanted = Counter(u for u in self.intended.values() if u)
        self.departments: _Departments | None = None
        self.setup_error: DomainError | None = None
        try:
            self.departments = _Departments(self.actor, job.company)
        except DomainError as exc:  # the uploader lost their scope meanwhile
            self.setup_error = exc

    def outcome(self, record: _Record) -> UserDraft | BulkCreateRow:
        """The row's account, checked and ready to be saved, or its refusal."""
        username = self.intended[record.row]
        if record.problem is not None:
            return BulkCreateRow(
                row=record.row,
                line=record.line,
                status=BulkRowStatus.REFUSED,
                username=username,
                message=record.problem,
                field="file",
            )
        if username and self.wanted[username] > 1:
            rows = [str(n) for n, name in self.intended.items() if name == username]
            return BulkCreateRow(
                row=record.row,
                line=record.line,
                status=BulkRowStatus.REFUSED,
                username=username,
                message=f"The username {username!r} appears on more than one row "
                f"(rows {', '.join(rows)}); usernames must be unique.",
                field="username",
            )
        try:
            if self.departments is None:
                raise self.setup_error or NotFound("Company not found.", field="company_id")
            return _prepare_row(
                actor=self.actor,
                company=self.job.company,
                record=record,
                departments=self.departments,
                default_department=self.job.default_department,
                password_links=self.job.password_links,
            )
        except DomainError as exc:
            return _refusal(record, username, exc)


def _requeue(job: BulkCreateJob, heartbeat: datetime) -> BulkCreateJob | None:
    """Give the worker back: the job waits in the queue again, nudged at once."""
    from faxline.accounts.tasks import bulk_create_run as task

    now = timezone.now()
    if not BulkCreateJob.objects.filter(
        pk=job.pk, status=BulkJobStatus.RUNNING, heartbeat_at=heartbeat
    ).update(status=BulkJobStatus.QUEUED, heartbeat_at=now, nudged_at=now):
        return None
    enqueue_now(task, job.pk)
    job.refresh_from_db()
    return job


def _write_batch(
    job: BulkCreateJob,
    actor: Actor,
    outcomes: list[tuple[_Record, UserDraft | BulkCreateRow]],
    heartbeat: datetime,
) -> datetime | None:
    """Save a batch's accounts and every row's outcome in one transaction; returns the new
    heartbeat, or None when another worker took the job over (nothing is written then)."""
    now = timezone.now()
    created = refused = 0
    with transaction.atomic():
        if not BulkCreateJob.objects.filter(
            pk=job.pk, status=BulkJobStatus.RUNNING, heartbeat_at=heartbeat
        ).update(heartbeat_at=now):
            return None
        for record, outcome in outcomes:
            try:
                with transaction.atomic():
                    result = _save_row(job, actor, record, outcome)
                    result.job = job
                    result.save()
            except IntegrityError:
                continue  # this row already has its outcome (a run before this one)
            if result.status == BulkRowStatus.CREATED:
                created += 1
            else:
                refused += 1
        BulkCreateJob.objects.filter(pk=job.pk).update(
            processed=F("processed") + created + refused,
            created_count=F("created_count") + created,
            refused_count=F("refused_count") + refused,
        )
    return now


_LINK_SENT = "A link to choose a password was emailed to {email}."
_WELCOME_SENT = {
    WelcomeMessage.WELCOME.value: "A welcome message was emailed to {email}.",
    WelcomeMessage.WITH_CREDENTIALS.value: "A welcome message with a link to choose a "
    "password was emailed to {email}.",
}


def _save_row(
    job: BulkCreateJob, actor: Actor, record: _Record, outcome: UserDraft | BulkCreateRow
) -> BulkCreateRow:
    if isinstance(outcome, BulkCreateRow):
        return outcome
    username = outcome.person.username
    link = not outcome.person.secret  # no password: a link to choose one
    welcome = job.welcome_message if job.welcome_message in _WELCOME_SENT else ""
    # A welcome with credentials carries the link: one email, not two.
    link_alone = link and welcome != WelcomeMessage.WITH_CREDENTIALS.value
    try:
        with transaction.atomic():
            account = user_save(actor=actor, draft=outcome)
            if link_alone:
                password_link_send(user=account.user)
            if welcome:
                welcome_queue(user=account.user, kind=welcome)
    except DomainError as exc:  # a username taken meanwhile, a department gone
        return _refusal(record, username, exc)
    told = [_LINK_SENT] if link_alone else []
    told += [_WELCOME_SENT[welcome]] if welcome else []
    return BulkCreateRow(
        row=record.row,
        line=record.line,
        status=BulkRowStatus.CREATED,
        username=account.user.username,
        user=account.user,
        message=" ".join(told).format(email=account.user.email),
        generated_password=account.generated_password or "",
    )


def _finish(job: BulkCreateJob, actor: Actor, heartbeat: datetime) -> None:
    with transaction.atomic():
        if not BulkCreateJob.objects.filter(
            pk=job.pk, status=BulkJobStatus.RUNNING, heartbeat_at=heartbeat
        ).update(status=BulkJobStatus.DONE, finished_at=timezone.now(), source=""):
            return
        job.refresh_from_db()
        audit_record(
            kind="users.bulk_created",
            actor=actor.user,
            company=job.company,
            target=job.company,
            ip_address=actor.ip_address,
            detail={
                "job_id": job.pk,
                "rows": job.total,
                "created": job.created_count,
                "refused": job.refused_count,
                "default_department_id": job.default_department_id,
            },
        )


def bulk_create_get(*, actor: Actor, job_id: int) -> BulkCreateJob:
    """A Bulk Create job the actor may see: their own, or any of a company they administer
    as a whole (operators, partners, company administrators). Others: 404."""
    job = (
        BulkCreateJob.objects.select_related("company", "created_by", "default_department")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound("Bulk Create job not found.", field="job_id")
    may_see_bulk_job(actor, job).check()
    return job


def bulk_create_report(*, actor: Actor, job: BulkCreateJob) -> BulkReport:
    """The rows processed so far, in order. Once the job is done, the person who uploaded
    the file sees the generated passwords, once: they are erased as they are shown."""
    revealed: set[int] = set()
    if (
        job.done
        and job.created_by_id == actor.user.pk
        and job.passwords_revealed_at is None
        and BulkCreateJob.objects.filter(pk=job.pk, passwords_revealed_at__isnull=True).update(
            passwords_revealed_at=timezone.now()
        )
    ):
        revealed = {job.pk}
    rows = list(job.rows.order_by("row"))
    report = BulkReport(
        job=job,
        rows=[
            BulkRow(
                row=r.row,
                line=r.line,
                status="created" if r.status == BulkRowStatus.CREATED else "refused",
                username=r.username,
                user_id=r.user_id,
                message=r.message,
                field=r.field or None,
                generated_password=(r.generated_password or None) if revealed else None,
            )
            for r in rows
        ],
    )
    if revealed:
        BulkCreateRow.objects.filter(job=job).exclude(generated_password="").update(
            generated_password=""
        )
    return report


def bulk_create_sweep() -> int:
    """The periodic sweep: nudge jobs whose nudge was lost (queued) or whose worker died
    (running), with no sign of life for :data:`STALE_JOB`, at most once per that time
    each; erase generated passwords nobody came to see. Returns how many it nudged."""
    from faxline.accounts.tasks import bulk_create_run as task

    now = timezone.now()
    stale = now - STALE_JOB
    nudged = renudge_lost(
        BulkCreateJob.objects.filter(
            status__in=(BulkJobStatus.QUEUED, BulkJobStatus.RUNNING), heartbeat_at__lt=stale
        ),
        overdue=stale,
        now=now,
        nudge=lambda pk: enqueue_now(task, pk),
        limit=100,
    )
    expired = BulkCreateJob.objects.filter(
        status=BulkJobStatus.DONE, finished_at__lt=now - KEEP_GENERATED
    ).filter(passwords_revealed_at__isnull=True)
    for pk in list(expired.values_list("pk", flat=True)[:100]):
        if BulkCreateJob.objects.filter(pk=pk, passwords_revealed_at__isnull=True).update(
            passwords_revealed_at=now
        ):
            BulkCreateRow.objects.filter(job_id=pk).exclude(generated_password="").update(
                generated_password=""
            )
    return nudged
