"""Bulk Create (``accounts.bulk``): whole-file checks on upload, then the task worker
creates the rows a batch at a time (savepoint per row), with department paths and scope;
the job is idempotent and continues where it stopped; generated passwords are shown once.

``users_bulk_create`` below uploads the file, lets the worker run the job (the real
database backend, in-process) and reads the report as the uploader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher, check_password
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faxline.accounts import bulk
from faxline.accounts.access import Actor
from faxline.accounts.bulk import (
    MAX_BYTES,
    MAX_ROWS,
    BulkReport,
    bulk_create_get,
    bulk_create_report,
    bulk_create_run,
    bulk_create_submit,
    bulk_create_sweep,
)
from faxline.accounts.models import BulkCreateJob, BulkCreateRow, Company, Department, User
from faxline.accounts.services.departments import department_create
from faxline.accounts.tasks import bulk_create_run as bulk_task
from faxline.core.errors import Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast
from worker import after_commit, run_tasks

pytestmark = pytest.mark.django_db


def users_bulk_create(
    *, actor: Actor, company: Company, data: bytes, default_department: Department | None = None
) -> BulkReport:
    """Upload, let the task worker run the job, and read the report as the uploader."""
    with after_commit():
        job = bulk_create_submit(
            actor=actor, company=company, data=data, default_department=default_department
        )
    job.refresh_from_db()
    assert job.status == "done"
    return bulk_create_report(actor=actor, job=job)


HEADER = "first_name,last_name,email,username,department,password,receiving_emails,custom1\n"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = header + "".join(row + "\n" for row in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def test_good_rows_are_created_with_generated_passwords_shown_once(cast: Cast) -> None:
    data = csv_bytes(
        f"Ann,Able,ann@acme.example,ann,Sales,{PASSWORD},ann@acme.example;ann2@acme.example,C1",
        "Ben,Baker,ben@acme.example,ben,,,,",
        "Zoë,Zed,zoe@acme.example,zoe,Billing Dept -> Billing Level 1,,,",
        bom=True,
    )
    report = users_bulk_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=data
    )

    assert (report.created, report.refused) == (3, 0)
    assert [r.row for r in report.rows] == [1, 2, 3]
    assert [r.line for r in report.rows] == [2, 3, 4]
    ann, ben, zoe = (User.objects.get(username=n) for n in ("ann", "ben", "zoe"))
    assert ann.department == cast.sales and ann.custom1 == "C1"
    assert ann.receiving_emails == ["ann@acme.example", "ann2@acme.example"]
    assert ben.department is None and ben.company == cast.company  # company level
    assert zoe.department == cast.billing_l1 and zoe.first_name == "Zoë"
    # A chosen password is not echoed back; a generated one is, and it works.
    assert report.rows[0].generated_password is None
    assert check_password(PASSWORD, ann.password)
    generated = report.rows[1].generated_password
    assert generated and check_password(generated, ben.password)
    assert report.rows[1].user_id == ben.pk and report.rows[1].status == "created"
    event = AuditEvent.objects.get(kind="users.bulk_created")
    assert event.detail["created"] == 3 and event.detail["refused"] == 0
    assert event.company == cast.company


def test_bad_row_among_good_rows_leaves_nothing_behind(cast: Cast) -> None:
    users_before = User.objects.count()
    data = csv_bytes(
        "Ann,Able,ann@acme.example,ann,,,,",
        "Bad,Email,not-an-email,badmail,,,,",
        "Weak,Password,weak@acme.example,weak,,abc,,",
        "Four,Inboxes,four@acme.example,four,,,a@x.example;b@x.example;c@x.example;d@x.example,",
        "Taken,Name,taken@acme.example,bill,,,,",
        "Cid,Coe,cid@acme.example,cid,,,,",
    )
    report = users_bulk_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=data
    )

    assert (report.created, report.refused) == (2, 4)
    by_row = {r.row: r for r in report.rows}
    assert by_row[2].status == "refused" and by_row[2].field == "email"
    assert by_row[3].field == "password" and "at least" in by_row[3].message
    assert by_row[4].field == "receiving_emails"
    assert by_row[5].field == "username" and "already taken" in by_row[5].message
    assert all(by_row[n].user_id is None for n in (2, 3, 4, 5))
    assert User.objects.count() == users_before + 2
    assert not User.objects.filter(username__in=["badmail", "weak", "four"]).exists()
    assert User.objects.filter(username__in=["ann", "cid"]).count() == 2
    assert (
        AuditEvent.objects.filter(
            kind="user.created", target_label__in=["Ann Able", "Cid Coe"]
        ).count()
        == 2
    )
    assert not AuditEvent.objects.filter(kind="user.created", target_label="Bad Email").exists()
    event = AuditEvent.objects.get(kind="users.bulk_created")
    assert (event.detail["created"], event.detail["refused"]) == (2, 4)


def test_usernames_twice_in_the_file_are_refused_on_every_row(cast: Cast) -> None:
    data = csv_bytes(
        "Ann,Able,ann@acme.example,dup,,,,",
        "Ann,Again,ann2@acme.example,DUP,,,,",
        "Ok,Row,ok@acme.example,okrow,,,,",
    )
    report = users_bulk_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=data
    )

    assert [r.status for r in report.rows] == ["refused", "refused", "created"]
    assert report.rows[0].field == "username" and "rows 1, 2" in report.rows[0].message
    assert not User.objects.filter(username__iexact="dup").exists()


def test_email_as_username_column(cast: Cast) -> None:
    header = "first_name,last_name,email,use_email_as_username\n"
    data = csv_bytes(
        "Eve,Ever,Eve@Acme.example,yes", "Fay,Fir,fay@acme.example,maybe", header=header
    )
    report = users_bulk_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=data
    )

    assert report.rows[0].username == "eve@acme.example" and report.rows[0].status == "created"
    assert report.rows[1].status == "refused"
    assert report.rows[1].field == "use_email_as_username"


def test_department_paths_names_and_ambiguity(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    department_create(actor=admin, company=cast.company, parent=cast.billing, name="Team")
    sales_team = department_create(
        actor=admin, company=cast.company, parent=cast.sales, name="Team"
    )
    data = csv_bytes(
        "A,One,a1@acme.example,usr1,billing dept->BILLING LEVEL 1,,,",
        "A,Two,a2@acme.example,usr2,Billing Level 1,,,",
        "A,Three,a3@acme.example,usr3,Team,,,",
        "A,Four,a4@acme.example,usr4,Sales -> Team,,,",
        "A,Five,a5@acme.example,usr5,Sales -> Nowhere,,,",
    )
    report = users_bulk_create(actor=admin, company=cast.company, data=data)

    statuses = [r.status for r in report.rows]
    assert statuses == ["created", "created", "refused", "created", "refused"]
    assert User.objects.get(username="usr1").department == cast.billing_l1
    assert User.objects.get(username="usr2").department == cast.billing_l1
    assert report.rows[2].field == "department" and "full path" in report.rows[2].message
    assert User.objects.get(username="usr4").department == sales_team
    assert report.rows[4].field == "department" and "not found" in report.rows[4].message


def test_default_department_applies_to_blank_department(cast: Cast) -> None:
    data = csv_bytes("A,One,a1@acme.example,usr1,,,,", "A,Two,a2@acme.example,usr2,Sales,,,")
    users_bulk_create(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        data=data,
        default_department=cast.billing_l1,
    )
    assert User.objects.get(username="usr1").department == cast.billing_l1
    assert User.objects.get(username="usr2").department == cast.sales


def test_department_admin_cannot_place_users_outside_their_subtree(cast: Cast) -> None:
    dana = cast.actor(cast.dept_admin)  # administers Billing Dept
    data = csv_bytes(
        "In,Scope,in@acme.example,inscope,Billing Dept -> Billing Level 1,,,",
        "Out,Scope,out@acme.example,outscope,Sales,,,",
        "No,Dept,nodept@acme.example,nodept,,,,",
    )
    report = users_bulk_create(actor=dana, company=cast.company, data=data)

    assert [r.status for r in report.rows] == ["created", "refused", "refused"]
    assert report.rows[1].field == "department" and "not found" in report.rows[1].message
    assert report.rows[2].field == "department"  # company level is outside her scope
    assert not User.objects.filter(username__in=["outscope", "nodept"]).exists()
    with pytest.raises(NotFound):
        users_bulk_create(
            actor=dana, company=cast.company, data=data, default_department=cast.sales
        )


def test_outsider_and_read_only_are_refused(cast: Cast) -> None:
    data = csv_bytes("A,One,a1@acme.example,usr1,,,,")
    with pytest.raises(NotFound):
        users_bulk_create(actor=cast.actor(cast.outsider_admin), company=cast.company, data=data)
    with pytest.raises(Forbidden):
        users_bulk_create(actor=cast.actor(cast.read_only_admin), company=cast.company, data=data)
    assert not User.objects.filter(username="usr1").exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"\xef\xbb\xbf \n\n", "file_empty"),
        (b"first_name,last_name,email\nJos\xe9,Ortiz,jo@acme.example\n", "file_not_utf8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_not_text"),
        (b"first_name,last_name,email\n", "no_rows"),
        (b"first_name,last_name\nA,B\n", "bad_header"),
        (b"first_name,last_name,email,email\nA,B,c@x.example,d@x.example\n", "bad_header"),
        (b'first_name,last_name,email\n"A,B,c@x.example\n', "bad_csv"),
    ],
)
def test_file_refused_as_a_whole(cast: Cast, data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        users_bulk_create(actor=cast.actor(cast.company_admin), company=cast.company, data=data)
    assert refused.value.field == "file"
    assert refused.value.code == code


def test_unknown_columns_are_named(cast: Cast) -> None:
    data = b"first_name,last_name,email,Fax Number,shoe_size\nA,B,a@acme.example,1,2\n"
    with pytest.raises(ValidationFailed) as refused:
        users_bulk_create(actor=cast.actor(cast.company_admin), company=cast.company, data=data)
    assert refused.value.code == "unknown_columns"
    assert "fax_number" in refused.value.message and "shoe_size" in refused.value.message


def test_size_and_row_limits(cast: Cast) -> None:
    users_before = User.objects.count()
    admin = cast.actor(cast.company_admin)
    too_big = HEADER.encode() + b"x" * MAX_BYTES
    with pytest.raises(ValidationFailed) as refused:
        users_bulk_create(actor=admin, company=cast.company, data=too_big)
    assert refused.value.code == "file_too_large"

    rows = [f"U,{i},u{i}@acme.example,user{i},,,," for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValidationFailed) as refused:
        users_bulk_create(actor=admin, company=cast.company, data=csv_bytes(*rows))
    assert refused.value.code == "too_many_rows"
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(kind="users.bulk_created").exists()


def test_row_with_too_many_values_is_refused_alone(cast: Cast) -> None:
    data = (
        b"first_name,last_name,email,username\n"
        b"A,B,a@acme.example,aaa,surplus\n"
        b"\n"
        b"C,D,c@acme.example\n"  # a missing trailing value is blank: refused for username
        b"E,F,e@acme.example,eee\n"
    )
    report = users_bulk_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=data
    )

    assert [r.status for r in report.rows] == ["refused", "refused", "created"]
    assert "5 values" in report.rows[0].message
    assert report.rows[1].field == "username"
    assert [r.line for r in report.rows] == [2, 4, 5]  # the blank line is skipped
    assert not User.objects.filter(username="aaa").exists()


# --- the job: queued after commit, run by the worker, idempotent ---------------------


def queued_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=bulk_task.module_path, status="READY"))


def test_the_upload_only_stores_the_job_and_nudges_the_worker(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    users_before = User.objects.count()
    admin = cast.actor(cast.company_admin)
    data = csv_bytes("Ann,Able,ann@acme.example,ann,,,,", "Ben,Baker,ben@acme.example,ben,,,,")
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_create_submit(actor=admin, company=cast.company, data=data, file_name="u.csv")
        assert queued_jobs() == []  # not before commit
    (task,) = queued_jobs()
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.file_name) == ("queued", 2, 0, "u.csv")
    assert job.created_by == cast.company_admin
    assert User.objects.count() == users_before  # nobody yet: the worker creates them
    # The stored file is encrypted at rest (it may carry passwords).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT source FROM accounts_bulkcreatejob WHERE id = %s", [job.pk])
        (raw,) = cursor.fetchone()
    assert "ann@acme.example" not in raw

    assert run_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.processed, job.created_count, job.refused_count) == ("done", 2, 2, 0)
    assert job.source == "" and job.finished_at is not None  # the file is not kept
    assert User.objects.count() == users_before + 2
    assert DBTaskResult.objects.get(pk=task.pk).return_value == "done"


def test_a_job_runs_in_batches_and_continues_where_it_stopped(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    admin = cast.actor(cast.company_admin)
    rows = [f"U,{i},u{i}@acme.example,user{i},,,," for i in range(1, 6)]
    monkeypatch.setattr(bulk, "BATCHES_PER_RUN", 1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        job = bulk_create_submit(actor=admin, company=cast.company, data=csv_bytes(*rows))
        bulk_create_run(job_id=job.pk)  # one batch
    # ... and then the worker "died" while running: the job is left running, its heartbeat
    # from the batch it finished, its nudge lost.
    DBTaskResult.objects.all().delete()
    BulkCreateJob.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    assert (job.status, job.processed, job.created_count) == ("running", 2, 2)
    made = User.objects.filter(username__startswith="user").values_list("username", flat=True)
    assert set(made) == {"user1", "user2"}
    monkeypatch.setattr(bulk, "BATCHES_PER_RUN", 10)
    # Another run while the heartbeat is fresh does not touch it.
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert bulk_task.call(job.pk) == "skipped"
        assert bulk_create_sweep() == 0
    # Once the heartbeat is stale, the sweep nudges it and the worker continues.
    with time_machine.travel(start + bulk.STALE_JOB + timedelta(seconds=1), tick=False):
        assert bulk_create_sweep() == 1
        assert bulk_create_sweep() == 0  # nudged once
        assert run_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.processed, job.created_count, job.refused_count) == ("done", 5, 5, 0)
    assert User.objects.filter(username__startswith="user").count() == 5  # nobody twice
    assert list(job.rows.values_list("row", flat=True)) == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.filter(kind="users.bulk_created").count() == 1
    # A finished job run again does nothing.
    assert bulk_task.call(job.pk) == "skipped"
    assert User.objects.filter(username__startswith="user").count() == 5


def test_a_worker_yields_after_its_batches_and_requeues_the_job(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big job leaves the worker to other tasks (an email must not wait minutes)."""
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    monkeypatch.setattr(bulk, "BATCHES_PER_RUN", 1)
    admin = cast.actor(cast.company_admin)
    rows = [f"U,{i},u{i}@acme.example,user{i},,,," for i in range(1, 6)]
    with after_commit():
        job = bulk_create_submit(actor=admin, company=cast.company, data=csv_bytes(*rows))
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 5
    runs = DBTaskResult.objects.filter(task_path=bulk_task.module_path)
    assert sorted(runs.values_list("return_value", flat=True)) == [
        "done",
        "queued",
        "queued",
    ]


def test_a_lost_nudge_is_found_by_the_sweep(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # No commit hooks run: the nudge is lost.
        job = bulk_create_submit(
            actor=admin, company=cast.company, data=csv_bytes("A,B,ab@acme.example,abab,,,,")
        )
        assert bulk_create_sweep() == 0
    with time_machine.travel(start + bulk.STALE_JOB + timedelta(seconds=1), tick=False):
        assert bulk_create_sweep() == 1
        run_tasks()
    job.refresh_from_db()
    assert job.status == "done" and User.objects.filter(username="abab").exists()


class RecordingHasher(MD5PasswordHasher):
    """MD5, noting whether each hash was made inside a database transaction."""

    inside: list[bool] = []

    def encode(self, password: str, salt: str) -> str:
        RecordingHasher.inside.append(transaction.get_connection().in_atomic_block)
        return super().encode(password, salt)


@pytest.mark.django_db(transaction=True)
def test_passwords_are_hashed_outside_the_write_transactions(settings: Any) -> None:
    from cast import cast_from_snapshot

    cast = cast_from_snapshot()
    settings.PASSWORD_HASHERS = [f"{__name__}.RecordingHasher"]
    RecordingHasher.inside.clear()
    data = csv_bytes(
        f"Ann,Able,ann@acme.example,ann,,{PASSWORD},,",
        "Ben,Baker,ben@acme.example,ben,,,,",
    )
    job = bulk_create_submit(actor=cast.actor(cast.company_admin), company=cast.company, data=data)
    run_tasks()  # a transactional test: the nudge was enqueued on the real commit
    job.refresh_from_db()
    assert job.created_count == 2
    assert RecordingHasher.inside == [False, False]


def test_generated_passwords_are_shown_once_to_the_uploader(cast: Cast) -> None:
    carol = cast.actor(cast.company_admin)
    with after_commit():
        job = bulk_create_submit(
            actor=carol, company=cast.company, data=csv_bytes("Ben,Baker,ben@acme.example,ben,,,,")
        )
    job.refresh_from_db()
    # Another administrator of the whole company sees the report, not the password.
    olga = cast.actor(cast.operator)
    assert bulk_create_get(actor=olga, job_id=job.pk) == job
    assert bulk_create_report(actor=olga, job=job).rows[0].generated_password is None
    first = bulk_create_report(actor=carol, job=job).rows[0].generated_password
    assert first and check_password(first, User.objects.get(username="ben").password)
    job.refresh_from_db()
    assert bulk_create_report(actor=carol, job=job).rows[0].generated_password is None
    assert not BulkCreateRow.objects.exclude(generated_password="").exists()


def test_generated_passwords_nobody_saw_are_erased(cast: Cast) -> None:
    carol = cast.actor(cast.company_admin)
    with after_commit():
        job = bulk_create_submit(
            actor=carol, company=cast.company, data=csv_bytes("Ben,Baker,ben@acme.example,ben,,,,")
        )
    assert BulkCreateRow.objects.exclude(generated_password="").count() == 1
    with time_machine.travel(timezone.now() + bulk.KEEP_GENERATED + timedelta(minutes=1)):
        bulk_create_sweep()
    assert not BulkCreateRow.objects.exclude(generated_password="").exists()
    job.refresh_from_db()
    assert bulk_create_report(actor=carol, job=job).rows[0].generated_password is None


def test_who_may_see_a_job(cast: Cast) -> None:
    dana = cast.actor(cast.dept_admin)  # administers Billing Dept
    job = bulk_create_submit(
        actor=dana,
        company=cast.company,
        data=csv_bytes("A,B,ab@acme.example,abab,,,,"),
        default_department=cast.billing,
    )
    assert bulk_create_get(actor=dana, job_id=job.pk) == job  # her own
    assert bulk_create_get(actor=cast.actor(cast.company_admin), job_id=job.pk) == job
    carols = bulk_create_submit(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        data=csv_bytes("C,D,cd@acme.example,cdcd,,,,"),
    )
    for outsider, job_id in (
        (dana, carols.pk),  # another administrator's upload, outside her subtree's view
        (cast.actor(cast.outsider_admin), job.pk),
        (cast.actor(cast.billing_user), job.pk),
    ):
        with pytest.raises(NotFound):
            bulk_create_get(actor=outsider, job_id=job_id)
    assert BulkCreateJob.objects.count() == 2


def test_password_links_instead_of_generated_passwords(
    cast: Cast, settings: Any, client: Any
) -> None:
    """Users without a password in the file can be emailed a link to choose one: nothing is
    hashed for them, nothing generated or shown."""
    import re

    from django.core import mail

    from faxline.notify.models import NotificationLog

    settings.PASSWORD_HASHERS = [f"{__name__}.RecordingHasher"]
    settings.FAXLINE_PORTAL_URL = "https://fax.example"
    RecordingHasher.inside.clear()
    carol = cast.actor(cast.company_admin)
    data = csv_bytes(
        f"Ann,Able,ann@acme.example,ann,,{PASSWORD},,", "Ben,Baker,ben@acme.example,ben,,,,"
    )
    with after_commit():
        job = bulk_create_submit(actor=carol, company=cast.company, data=data, password_links=True)
    job.refresh_from_db()
    report = bulk_create_report(actor=carol, job=job)
    assert [r.status for r in report.rows] == ["created", "created"]
    assert [r.generated_password for r in report.rows] == [None, None]
    assert report.rows[1].message == "A link to choose a password was emailed to ben@acme.example."
    assert len(RecordingHasher.inside) == 1  # Ann's chosen password only
    ben = User.objects.get(username="ben")
    assert not ben.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["ben@acme.example"] and "choose your password" in message.subject
    (logged,) = NotificationLog.objects.filter(kind="accounts.password_link")
    assert logged.carries_secret and "/auth/password/reset/" not in logged.shown_body
    link = re.search(r"https://fax\.example(/auth/password/reset/[^/\s]+/)", message.body)
    assert link
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    new = "Chosen-Secret-2026"
    response = client.post(link.group(1), {"new_password": new, "confirm_password": new})
    assert response.status_code == 302
    ben.refresh_from_db()
    assert ben.check_password(new)
