"""A realistic company's fax history at scale, for the Activity, Reports and Dashboard
benchmarks (issue 12).

``seed_activity(ActivityScale(...))`` creates, at full scale (``FULL``):

- "Activity Corp": a three-level department tree (5 divisions, 3 teams each, 2 units per
  team: 50 departments), a company administrator, a department administrator, ~200 fax
  users (a few at company level) each with their own fax number, and a few department
  numbers without a user;
- 1,000,000 outbound jobs over 6 months to ~20,000 US and Canadian numbers drawn from a Zipf
  law (a few destinations take most of the traffic; some of them are busy-prone), senders
  drawn from a Zipf law too, 1-10 pages, weekday office hours heavier than nights; a
  realistic mix of outcomes (about 88% sent, 10% failed with Busy, No Answer, Voice Answer,
  Not a Fax Machine..., 1.5% cancelled, the last hour's jobs still open), one attempt row
  per call with busy retries before the outcome;
- 300,000 received faxes on the company's numbers, 2% potential partials and 1% with no
  fax data, from Zipf-drawn callers;
- a second, small company ("Outsider Ltd") with its own few faxes, which no scope of the
  first company may include.

It writes with plain multi-row inserts (SQLite: ``executemany`` on the raw connection;
PostgreSQL: ``COPY``), ids given by itself, no signals and no per-row ORM work, so the whole
set takes a few minutes; then :func:`tally_rebuild` fills the traffic tallies. Every
derived field is consistent: ``department`` is the sender's (recipient's) department,
``first_dial_at`` the first attempt's start, ``completed_at`` the last attempt's end (the
cancellation for cancelled jobs), ``first_forwarded_at`` the first delivery.

The parameters and the moment of generation are kept in a small table
(``bench_seed_meta``) so that the benchmarks reuse a database already seeded with the same
parameters instead of generating again (``ensure_seeded``).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

SEED_VERSION = 1
META_TABLE = "bench_seed_meta"
BIG_COMPANY = "Activity Corp"
SMALL_COMPANY = "Outsider Ltd"
DIVISIONS = ("Operations", "Billing", "Sales", "Legal", "Medical Records")
CANADIAN_AREAS = ("416", "514", "604", "403", "613", "905", "780", "204")
US_AREAS = (
    "212", "213", "312", "415", "617", "713", "206", "303", "404", "503",
    "602", "305", "214", "702", "808", "919", "512", "615", "801", "858",
)  # fmt: skip
# Outcomes of failed jobs, by weight (the guide's names).
FAILURES: tuple[tuple[str, int], ...] = (
    ("Busy", 30),
    ("No Answer", 25),
    ("Voice Answer", 12),
    ("Not a Fax Machine", 8),
    ("Negotiation Failed", 7),
    ("Transmission Failed", 6),
    ("Fast Busy", 4),
    ("Invalid Fax Number", 4),
    ("Sit-Tone / Operator Msg", 2),
    ("Exceeded ECM Retransmit", 2),
)
BATCH = 5000
CHUNK = 50_000  # jobs generated, then written with their attempts


@dataclass(frozen=True)
class ActivityScale:
    """How much to generate (``FULL``: the issue's scale; tests use a tiny one)."""

    outbound: int = 1_000_000
    inbound: int = 300_000
    days: int = 182
    users: int = 200
    destinations: int = 20_000
    small_outbound: int = 2_000
    small_inbound: int = 500
    seed: int = 12

    def key(self) -> str:
        return json.dumps({"version": SEED_VERSION, **asdict(self)}, sort_keys=True)


FULL = ActivityScale()


@dataclass
class Seeded:
    """What the benchmarks need from the seeded set (ids, so that it survives runs)."""

    company_id: int
    admin_id: int
    dept_admin_id: int
    small_company_id: int
    anchor: datetime  # the generation's "now": the history ends here
    top_department_id: int
    small_department_id: int  # a unit (level 3): a department filter's worst case
    busiest_sender_id: int
    rare_sender_id: int
    common_destination: str
    rare_destination: str
    common_caller: str
    busiest_number: str
    sample_identifier: str
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["anchor"] = self.anchor.isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Seeded:
        data = json.loads(text)
        data["anchor"] = datetime.fromisoformat(data["anchor"])
        return cls(**data)


# --- the raw writer ---------------------------------------------------------------------------


class _Writer:
    """Multi-row inserts of plain tuples, the fastest way each database offers."""

    def __init__(self) -> None:
        self.vendor = connection.vendor

    def dt(self, moment: datetime | None) -> Any:
        if moment is None:
            return None
        if self.vendor == "sqlite":
            # What Django's SQLite backend stores: naive UTC in ISO format with a space.
            return moment.replace(tzinfo=None).isoformat(" ")
        return moment

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        count = 0
        if self.vendor == "postgresql":
            names = ", ".join(f'"{c}"' for c in columns)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg 3
                with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our own table names
        raw_connection = connection.connection
        iterator = iter(rows)
        while True:
            chunk = list(itertools.islice(iterator, BATCH))
            if not chunk:
                return count
            raw_connection.executemany(sql, chunk)
            count += len(chunk)

    def next_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our own table names
            return int(cursor.fetchone()[0]) + 1

    def reset_sequence(self, table: str) -> None:
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - our own table names
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


# --- meta -------------------------------------------------------------------------------------


def _meta_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (name varchar(200) PRIMARY KEY, value text)"
        )


def seeded_before(scale: ActivityScale) -> Seeded | None:
    """The set seeded with these parameters in this database, if any."""
    _meta_table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE name = %s", [scale.key()])  # noqa: S608 - our own table names
        row = cursor.fetchone()
    return Seeded.from_json(row[0]) if row else None


def _remember(scale: ActivityScale, seeded: Seeded) -> None:
    _meta_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE name = %s", [scale.key()])  # noqa: S608 - our own table names
        cursor.execute(
            f"INSERT INTO {META_TABLE} (name, value) VALUES (%s, %s)",  # noqa: S608 - our own table names
            [scale.key(), seeded.to_json()],
        )


def ensure_seeded(scale: ActivityScale = FULL, *, log: Any = None) -> Seeded:
    """Seed unless this database holds the same set already."""
    found = seeded_before(scale)
    if found is not None:
        if log:
            log(f"reusing the set seeded at {found.anchor.isoformat()}")
        return found
    seeded = seed_activity(scale, log=log)
    _remember(scale, seeded)
    return seeded


# --- the people -------------------------------------------------------------------------------


def _zipf_cumulative(n: int, exponent: float) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(1, n + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        area = rng.choice(US_AREAS if rng.random() < 0.85 else CANADIAN_AREAS)
        number = f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if number not in used:
            used.add(number)
            return number


@dataclass
class _Company:
    company: Any
    admin: Any
    dept_admin: Any | None
    departments: list[Any]
    senders: list[tuple[int, int | None, str]]  # user id, department id, number
    numbers: list[tuple[str, int | None, int | None]]  # number, user id, department id


def _company(
    rng: random.Random, *, name: str, domain: str, users: int, tree: bool, used: set[str]
) -> _Company:
    from bench.seed import FIRST_NAMES, LAST_NAMES, _save_departments
    from faxline.accounts.choices import Role
    from faxline.accounts.models import Company, Department, User
    from faxline.accounts.rights import ALL_RIGHTS
    from faxline.numbers.choices import NumberSource, NumberStatus
    from faxline.numbers.models import FaxNumber

    company = Company.objects.create(name=name, domain=domain, max_inventory=10_000)
    if tree:
        top = [Department(company=company, name=d, depth=0, path="") for d in DIVISIONS]
        teams = [
            Department(company=company, parent=t, name=f"{t.name} Team {i}", depth=1, path="")
            for t in top
            for i in range(1, 4)
        ]
        units = [
            Department(company=company, parent=t, name=f"{t.name} Unit {i}", depth=2, path="")
            for t in teams
            for i in range(1, 3)
        ]
        departments = _save_departments([top, teams, units])
    else:
        departments = _save_departments(
            [[Department(company=company, name="Main Office", depth=0, path="")]]
        )
    full = sorted(ALL_RIGHTS)
    admin = User(
        username=f"admin@{domain}",
        email=f"admin@{domain}",
        first_name="Ada",
        last_name="Admin",
        role=Role.ADMINISTRATOR,
        company=company,
        rights=full,
    )
    people = [admin]
    dept_admin = None
    if tree:
        dept_admin = User(
            username=f"dept-admin@{domain}",
            email=f"dept-admin@{domain}",
            first_name="Dana",
            last_name="Division",
            role=Role.ADMINISTRATOR,
            company=company,
            department=departments[0],
            rights=full,
        )
        people.append(dept_admin)
    names = itertools.product(LAST_NAMES, FIRST_NAMES)
    fax_users = []
    for i in range(users):
        last, first = next(names)
        # A few at company level; the rest spread unevenly over the tree (the weights
        # make some departments much busier than others).
        department = None if i % 40 == 0 else rng.choice(departments)
        fax_users.append(
            User(
                username=f"user{i}@{domain}",
                email=f"user{i}@{domain}",
                first_name=first,
                last_name=last,
                role=Role.FAX_USER,
                company=company,
                department=department,
            )
        )
    for person in people + fax_users:
        person.set_unusable_password()
    User.objects.bulk_create(people + fax_users, batch_size=1000)
    numbers: list[tuple[str, int | None, int | None]] = []
    senders = []
    rows = []
    for person in fax_users:
        number = _phone(rng, used)
        senders.append((person.pk, person.department_id, number))
        numbers.append((number, person.pk, person.department_id))
        rows.append((number, person))
    for _ in range(max(1, users // 20)):  # department and company numbers without a user
        numbers.append((_phone(rng, used), None, None))
        rows.append((numbers[-1][0], None))
    FaxNumber.objects.bulk_create(
        [
            FaxNumber(
                number=number,
                country="US" if number[2:5] not in CANADIAN_AREAS else "CA",
                area_code=number[2:5],
                source=NumberSource.STOCK,
                status=NumberStatus.IN_SERVICE,
                company=company,
                user=person,
                outbound=True,
            )
            for number, person in rows
        ],
        batch_size=1000,
    )
    return _Company(company, admin, dept_admin, departments, senders, numbers)


# --- the history ------------------------------------------------------------------------------

JOB_COLUMNS = (
    "id", "identifier", "company_id", "sender_id", "department_id", "from_number",
    "to_number", "international", "status", "error", "error_code", "error_cause",
    "will_retry", "pages", "image_id", "cover", "header", "send_at", "kill_at",
    "next_attempt_at", "dials", "tries", "credits_charged", "resent_from_id", "source",
    "reply_to", "document_name", "created_at", "status_changed_at", "first_dial_at",
    "completed_at",
)  # fmt: skip
ATTEMPT_COLUMNS = (
    "job_id", "number", "started_at", "ended_at", "lease_owner", "lease_expires_at",
    "outcome", "cause", "retry", "connected", "completion_code", "completion_text",
    "remote_csi", "pages_sent", "duration_seconds", "progress", "statistics",
    "sent_image_id",
)  # fmt: skip
INBOUND_COLUMNS = (
    "id", "to_number", "from_number", "company_id", "user_id", "department_id",
    "received_at", "pages", "remote_csid", "completion_code", "completion_text",
    "call_seconds", "result", "partial", "vault_name", "size", "sha256", "files",
    "delivery_status", "undeliverable", "delivery_error", "delivery_round",
    "delivery_attempts", "claimed_at", "nudged_at", "delivered_at", "first_forwarded_at",
    "content_deleted_at",
)  # fmt: skip
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 12, 14, 16, 15, 13, 9, 5, 3, 2, 2, 1, 1]
DAY_WEIGHTS = [10, 10, 10, 10, 9, 2, 1]  # Monday..Sunday


def _moments(rng: random.Random, count: int, *, anchor: datetime, days: int) -> list[datetime]:
    """``count`` moments over the ``days`` before ``anchor``, office hours and weekdays
    heavier, in ascending order (ids then follow time, as in production)."""
    start = anchor - timedelta(days=days)
    day_list = [start + timedelta(days=d) for d in range(days + 1)]
    day_weights = [float(DAY_WEIGHTS[d.weekday()]) for d in day_list]
    # Growth: the last month busier than the first (a growing customer).
    day_weights = [w * (0.8 + 0.4 * i / max(1, days)) for i, w in enumerate(day_weights)]
    day_cumulative = list(itertools.accumulate(day_weights))
    hour_cumulative = list(itertools.accumulate(HOUR_WEIGHTS))
    midnight = [d.replace(hour=0, minute=0, second=0, microsecond=0) for d in day_list]
    chosen_days = rng.choices(range(len(day_list)), cum_weights=day_cumulative, k=count)
    hours = rng.choices(range(24), cum_weights=hour_cumulative, k=count)
    moments = []
    for d, h in zip(chosen_days, hours, strict=True):
        moment = midnight[d] + timedelta(hours=h, seconds=rng.random() * 3600)
        if moment >= anchor:
            moment = anchor - timedelta(seconds=rng.random() * 86_400)
        if moment <= start:
            moment = start + timedelta(seconds=rng.random() * 3600)
        moments.append(moment)
    moments.sort()
    return moments


def _outbound(
    rng: random.Random,
    writer: _Writer,
    who: _Company,
    *,
    count: int,
    destinations: list[str],
    anchor: datetime,
    days: int,
    image_id: int,
) -> tuple[int, int]:
    """Write ``count`` jobs and their attempts; returns (jobs, attempts)."""
    if count <= 0:
        return 0, 0
    destination_cumulative = _zipf_cumulative(len(destinations), 1.05)
    sender_cumulative = _zipf_cumulative(len(who.senders), 0.9)
    busy_prone = {destinations[i] for i in range(0, min(len(destinations), 400), 7)}
    failure_names = [name for name, _ in FAILURES]
    failure_cumulative = list(itertools.accumulate(w for _, w in FAILURES))
    moments = _moments(rng, count, anchor=anchor, days=days)
    remotes = rng.choices(destinations, cum_weights=destination_cumulative, k=count)
    senders = rng.choices(who.senders, cum_weights=sender_cumulative, k=count)
    first_job = writer.next_id("faxing_faxjob")
    dt = writer.dt
    attempts: list[tuple[Any, ...]] = []
    attempt_count = 0
    company_id = who.company.pk

    def jobs() -> Iterator[tuple[Any, ...]]:
        nonlocal attempt_count
        for n, (created, remote, sender) in enumerate(zip(moments, remotes, senders, strict=True)):
            pk = first_job + n
            user_id, department_id, number = sender
            pages = min(10, 1 + int(rng.expovariate(0.45)))
            age = (anchor - created).total_seconds()
            roll = rng.random()
            busy_line = remote in busy_prone
            # Busy calls before the outcome: common for busy-prone destinations.
            busy_calls = 0
            if rng.random() < (0.35 if busy_line else 0.04):
                busy_calls = 1 + min(3, int(rng.expovariate(1.2)))
            error = ""
            if age < 1800 and roll < 0.5:
                status = "queued" if busy_calls == 0 else "retrying"
            elif roll < 0.015:
                status = "cancelled"
            elif roll < (0.20 if busy_line else 0.115):
                status = "failed"
                error = (
                    "Busy"
                    if busy_line and rng.random() < 0.6
                    else failure_names[
                        bisect.bisect_left(
                            failure_cumulative, rng.random() * failure_cumulative[-1]
                        )
                    ]
                )
                if error == "Busy":
                    busy_calls = max(busy_calls, 3)
            else:
                status = "success"
            wait = rng.lognormvariate(3.0, 1.0)  # seconds to the first dial (median 20 s)
            moment = created + timedelta(seconds=wait)
            first_dial = moment if status != "queued" or busy_calls else None
            outcomes = ["Busy"] * busy_calls
            if status == "success":
                outcomes.append("Sent")
            elif status == "failed" and error != "Busy":
                outcomes.append(error)
            elif status == "cancelled" and rng.random() < 0.5:
                outcomes = []  # cancelled before any call
                first_dial = None
            ended = moment
            for k, outcome in enumerate(outcomes, start=1):
                seconds = (
                    25.0 + pages * rng.uniform(20, 45) if outcome == "Sent" else rng.uniform(5, 60)
                )
                ended = moment + timedelta(seconds=seconds)
                sent = outcome == "Sent"
                attempts.append(
                    (
                        pk, k, dt(moment), dt(ended), "bench", dt(ended), outcome,
                        "" if sent else outcome.lower(), "" if sent else "later", sent,
                        0 if sent else None, "" if sent else outcome,
                        "REMOTE FAX" if sent else "", pages if sent else 0, seconds, "[]",
                        "{}", None,
                    )
                )  # fmt: skip
                moment = ended + timedelta(seconds=180)  # the busy requeue delay
            attempt_count += len(outcomes)
            if status in ("success", "failed"):
                completed = ended
            elif status == "cancelled":
                completed = ended + timedelta(seconds=rng.uniform(30, 900))
            else:
                completed = None
            if status == "cancelled":
                error = "Job Cancelled"
            dials = len(outcomes)
            is_open = status in ("queued", "retrying")
            yield (
                pk, f"{(pk * 7919) % 900 + 100}-{pk:08d}", company_id, user_id, department_id,
                number, remote, False, status, error, None, error.lower()[:40], is_open,
                pages, image_id, pk % 9 == 0, True, dt(created), dt(created + timedelta(days=1)),
                dt(moment) if is_open else None, dials, dials - busy_calls if dials else 0,
                pages if status != "cancelled" else 0, None, ("api", "portal", "email")[pk % 3],
                "", f"document-{pk % 997}.pdf", dt(created), dt(completed or created),
                dt(first_dial), dt(completed),
            )  # fmt: skip

    # Jobs then their attempts, a chunk at a time (a PostgreSQL connection runs one COPY
    # at a time, and the attempts must follow their jobs).
    written = 0
    made = jobs()
    while chunk := list(itertools.islice(made, CHUNK)):
        written += writer.insert("faxing_faxjob", JOB_COLUMNS, chunk)
        writer.insert("faxing_faxattempt", ATTEMPT_COLUMNS, attempts)
        attempts.clear()
    writer.reset_sequence("faxing_faxjob")
    writer.reset_sequence("faxing_faxattempt")
    return written, attempt_count


def _inbound(
    rng: random.Random,
    writer: _Writer,
    who: _Company,
    *,
    count: int,
    callers: list[str],
    anchor: datetime,
    days: int,
) -> int:
    if count <= 0:
        return 0
    caller_cumulative = _zipf_cumulative(len(callers), 1.05)
    number_cumulative = _zipf_cumulative(len(who.numbers), 0.8)
    moments = _moments(rng, count, anchor=anchor, days=days)
    froms = rng.choices(callers, cum_weights=caller_cumulative, k=count)
    tos = rng.choices(who.numbers, cum_weights=number_cumulative, k=count)
    first = writer.next_id("faxing_inboundfax")
    dt = writer.dt
    company_id = who.company.pk
    retention = anchor - timedelta(days=30)

    def rows() -> Iterator[tuple[Any, ...]]:
        for n, (received, caller, target) in enumerate(zip(moments, froms, tos, strict=True)):
            pk = first + n
            number, user_id, department_id = target
            roll = rng.random()
            pages = min(10, 1 + int(rng.expovariate(0.4)))
            partial = False
            code, text = 0, ""
            if roll < 0.01:
                pages, code, text = 0, 49, "The call dropped prematurely"
            elif roll < 0.03:
                partial, code, text = True, 51, "Far end disconnected"
            if user_id is None:
                status, undeliverable, forwarded = "undeliverable", "no_route", None
            elif pages == 0:
                status, undeliverable, forwarded = "delivered", "", None
            else:
                status, undeliverable = "delivered", ""
                forwarded = received + timedelta(seconds=rng.lognormvariate(1.5, 0.8))
            kept = received >= retention
            yield (
                pk, number, caller if rng.random() > 0.02 else "", company_id, user_id,
                department_id, dt(received), pages, f"FAX {caller[-4:]}", code, text,
                20.0 + pages * 30.0, "{}", partial,
                f"bench/inbound/{pk}" if kept else "", pages * 30_000 if kept else 0,
                hashlib.sha256(str(pk).encode()).hexdigest(), "[]", status, undeliverable,
                "", 1, 1 if forwarded else 0, dt(received), None, dt(forwarded), dt(forwarded),
                None if kept else dt(received + timedelta(days=30)),
            )  # fmt: skip

    written = writer.insert("faxing_inboundfax", INBOUND_COLUMNS, rows())
    writer.reset_sequence("faxing_inboundfax")
    return written


def _image() -> int:
    from faxline.faxing.models import FaxImageFile

    image, _ = FaxImageFile.objects.get_or_create(
        sha256="b" * 64,
        defaults={
            "vault_name": "",
            "pages": 1,
            "resolution": "fine",
            "compression": "g4",
            "size": 0,
        },
    )
    return int(image.pk)


def _fast_sqlite() -> None:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute("PRAGMA temp_store=MEMORY")


def _analyze() -> None:
    """PostgreSQL: the statistics autovacuum would gather soon after such a load. SQLite:
    none, as in production (faxline never runs ANALYZE, and with ``sqlite_stat1`` but
    without STAT4 the planner still cannot see how skewed a status is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_activity(scale: ActivityScale = FULL, *, log: Any = None) -> Seeded:
    """Generate the two companies and their history (see the module's docstring), then fill
    the traffic tallies; returns what the benchmarks use, with the time each stage took."""
    from faxline.faxing.tally.rebuild import tally_rebuild

    say = log or (lambda _text: None)
    rng = random.Random(scale.seed)  # noqa: S311 - test data
    anchor = datetime.now(UTC).replace(microsecond=0)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    writer = _Writer()
    _fast_sqlite()
    started = time.perf_counter()
    used: set[str] = set()
    with transaction.atomic():
        big = _company(
            rng,
            name=BIG_COMPANY,
            domain="activity.example",
            users=scale.users,
            tree=True,
            used=used,
        )
        small = _company(
            rng,
            name=SMALL_COMPANY,
            domain="outsider.example",
            users=max(2, scale.users // 40),
            tree=False,
            used=used,
        )
        destinations = [_phone(rng, used) for _ in range(scale.destinations)]
        image_id = _image()
    timings["people_s"] = time.perf_counter() - started
    say(f"people and numbers: {timings['people_s']:.1f} s")

    for who, outbound, inbound in (
        (big, scale.outbound, scale.inbound),
        (small, scale.small_outbound, scale.small_inbound),
    ):
        started = time.perf_counter()
        with transaction.atomic():
            jobs, attempts = _outbound(
                rng,
                writer,
                who,
                count=outbound,
                destinations=destinations,
                anchor=anchor,
                days=scale.days,
                image_id=image_id,
            )
        counts["jobs"] = counts.get("jobs", 0) + jobs
        counts["attempts"] = counts.get("attempts", 0) + attempts
        timings["outbound_s"] = timings.get("outbound_s", 0.0) + time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic():
            received = _inbound(
                rng,
                writer,
                who,
                count=inbound,
                callers=destinations,
                anchor=anchor,
                days=scale.days,
            )
        counts["inbound"] = counts.get("inbound", 0) + received
        timings["inbound_s"] = timings.get("inbound_s", 0.0) + time.perf_counter() - started
        say(f"{who.company.name}: {jobs} jobs, {attempts} attempts, {received} received")

    _analyze()
    started = time.perf_counter()
    for who in (big, small):
        written = tally_rebuild(company_id=who.company.pk)
        for name, n in written.items():
            counts[name] = counts.get(name, 0) + n
    timings["tally_rebuild_s"] = time.perf_counter() - started
    say(f"tally rebuild: {timings['tally_rebuild_s']:.1f} s {counts}")
    _analyze()

    return _describe(big, small, anchor, timings, counts)


def _describe(
    big: _Company,
    small: _Company,
    anchor: datetime,
    timings: dict[str, float],
    counts: dict[str, int],
) -> Seeded:
    from django.db.models import Count

    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.models import FaxJob

    company_id = big.company.pk
    jobs = FaxJob.objects.filter(company_id=company_id)
    by_sender = list(
        jobs.values("sender_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("sender_id", "n")
    )
    by_remote = list(
        jobs.values("to_number")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("to_number", "n")
    )
    callers = list(
        InboundFax.objects.filter(company_id=company_id)
        .exclude(from_number="")
        .values("from_number")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("from_number", flat=True)[:1]
    )
    units = [d for d in big.departments if d.depth == 2]
    sample = jobs.order_by("-id").values_list("identifier", flat=True).first() or ""
    rare = by_remote[len(by_remote) // 2][0] if by_remote else ""
    return Seeded(
        company_id=company_id,
        admin_id=big.admin.pk,
        dept_admin_id=big.dept_admin.pk if big.dept_admin else big.admin.pk,
        small_company_id=small.company.pk,
        anchor=anchor,
        top_department_id=big.departments[0].pk,
        small_department_id=units[-1].pk if units else big.departments[-1].pk,
        busiest_sender_id=by_sender[0][0] if by_sender else 0,
        rare_sender_id=by_sender[-1][0] if by_sender else 0,
        common_destination=by_remote[0][0] if by_remote else "",
        rare_destination=rare,
        common_caller=callers[0] if callers else "",
        busiest_number=big.numbers[0][0],
        sample_identifier=sample,
        timings={k: round(v, 2) for k, v in timings.items()},
        counts=counts,
    )


def main() -> None:  # pragma: no cover - the command line
    """``python bench/activity_seed.py [--small]``: seed the benchmark database (SQLite
    under var/bench/activity, or ``DATABASE_URL``) unless already seeded."""
    import sys

    from bench.activity_db import setup_database

    vendor = setup_database()
    scale = ActivityScale(outbound=20_000, inbound=6_000) if "--small" in sys.argv else FULL
    seeded = ensure_seeded(scale, log=lambda text: print(text, file=sys.stderr, flush=True))
    print(json.dumps({"database": vendor, "seeded": json.loads(seeded.to_json())}))


if __name__ == "__main__":  # pragma: no cover
    main()
