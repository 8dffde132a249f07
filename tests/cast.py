"""The standard cast of every tenant test (DESIGN.md convention 8).

Acme Corp: departments Billing Dept -> Billing Level 1, and Sales; a company administrator
(all rights), a department administrator of Billing Dept, a read-only administrator, fax users
in Billing Level 1 and Sales. Globex: another company with its own administrator and user
(the outsider). An operator of the provider sees everything.

The ``cast`` fixture builds it through the real services once per process and database, and
restores that snapshot in every later test (:func:`cast_from_snapshot`): the same rows
(ids included), the same objects, in a handful of queries instead of ~106.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models.base import DJANGO_VERSION_PICKLE_KEY
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, Department, User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.companies import company_create
from faxline.accounts.services.departments import department_create
from faxline.accounts.services.users import user_create

PASSWORD = "Fax-Secret-2026"


@dataclass
class Cast:
    operator: User
    company: Company
    billing: Department
    billing_l1: Department
    sales: Department
    company_admin: User
    dept_admin: User
    read_only_admin: User
    billing_user: User
    sales_user: User
    outsider_company: Company
    outsider_admin: User
    outsider_user: User

    def actor(self, user: User) -> Actor:
        return Actor(user=user)


def make_operator(username: str = "operator") -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=Role.OPERATOR,
        first_name="Olga",
        last_name="Operator",
        email=f"{username}@provider.example",
    )


def build_cast() -> Cast:
    operator = make_operator()
    op = Actor(user=operator)
    company = company_create(actor=op, name="Acme Corp")
    boss = administrator_create(
        actor=op,
        company=company,
        department=None,
        first_name="Carol",
        last_name="Chief",
        email="carol@acme.example",
        username="carol",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    admin_actor = Actor(user=boss)
    billing = department_create(
        actor=admin_actor, company=company, parent=None, name="Billing Dept"
    )
    billing_l1 = department_create(
        actor=admin_actor, company=company, parent=billing, name="Billing Level 1"
    )
    sales = department_create(actor=admin_actor, company=company, parent=None, name="Sales")
    dept_admin = administrator_create(
        actor=admin_actor,
        company=company,
        department=billing,
        first_name="Dana",
        last_name="Dept",
        email="dana@acme.example",
        username="dana",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    read_only = administrator_create(
        actor=admin_actor,
        company=company,
        department=None,
        first_name="Rita",
        last_name="Reader",
        email="rita@acme.example",
        username="rita",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
        read_only=True,
    ).user
    billing_user = user_create(
        actor=admin_actor,
        company=company,
        department=billing_l1,
        first_name="Bill",
        last_name="Payer",
        email="bill@acme.example",
        username="bill",
        password=PASSWORD,
    ).user
    sales_user = user_create(
        actor=admin_actor,
        company=company,
        department=sales,
        first_name="Sarah",
        last_name="Salesperson",
        email="sarah@acme.example",
        username="sarah",
        password=PASSWORD,
    ).user
    other = company_create(actor=op, name="Globex")
    outsider_admin = administrator_create(
        actor=op,
        company=other,
        department=None,
        first_name="Otto",
        last_name="Outsider",
        email="otto@globex.example",
        username="otto",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    outsider_user = user_create(
        actor=Actor(user=outsider_admin),
        company=other,
        department=None,
        first_name="Gina",
        last_name="Globex",
        email="gina@globex.example",
        username="gina",
        password=PASSWORD,
    ).user
    return Cast(
        operator,
        company,
        billing,
        billing_l1,
        sales,
        boss,
        dept_admin,
        read_only,
        billing_user,
        sales_user,
        other,
        outsider_admin,
        outsider_user,
    )


# What the cast was built with and what it wrote; see cast_from_snapshot.
@dataclass
class _Snapshot:
    cast: Cast
    rows: list[tuple[type[models.Model], list[dict[str, Any]]]]
    started: datetime
    finished: datetime


# One per database per process (each xdist worker builds its own); None: not restorable.
_snapshots: dict[tuple[str, str], _Snapshot | None] = {}
_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def cast_from_snapshot() -> Cast:
    """The cast, as :func:`build_cast` makes it, restored from a snapshot of its first build.

    The first call in a process (per database) whose tables are still empty builds the cast
    through the services and notes the rows they wrote (the tables from the captured
    ``INSERT`` statements, all their rows). Later calls insert
    those rows again with the same ids (one ``INSERT`` per table) and return a deep copy of
    the first build's objects, so that what a test sees, relations already loaded included,
    is what the services returned. Times stamped during the build are moved to now, keeping
    their order and distances (``time_machine`` included).

    The real build runs instead when restoring could differ from it: rows already in a
    table at or past the snapshot's ids (the ids and their order would not be the build's),
    a refused insert (a fixture made a clashing user), another hasher than the tests' MD5
    (a test may be watching the hashing), or a build that updated or deleted rows it had not
    inserted (then no snapshot is kept).
    """
    if list(settings.PASSWORD_HASHERS) != [_TESTS_HASHER]:
        return build_cast()
    key = (connection.vendor, str(connection.settings_dict["NAME"]))
    if key not in _snapshots:
        built, snapshot = _take_snapshot()
        if snapshot is not _NOT_YET:
            _snapshots[key] = snapshot
        return built
    snapshot = _snapshots[key]
    if snapshot is None:
        return build_cast()
    restored = _restore(snapshot)
    return restored if restored is not None else build_cast()


_TESTS_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


# A build that could not be a snapshot this time (see _take_snapshot).
_NOT_YET: Any = object()


def _take_snapshot() -> tuple[Cast, _Snapshot | None]:
    concrete = [
        model
        for model in apps.get_models(include_auto_created=True)
        if isinstance(model._meta.pk, models.AutoField)
    ]
    by_table = {model._meta.db_table: model for model in concrete}
    before = {
        model: model._base_manager.aggregate(last=models.Max("pk"))["last"] or 0
        for model in concrete
    }
    started = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        built = build_cast()
    finished = timezone.now()
    inserted: list[type[models.Model]] = []
    for query in queries.captured_queries:
        match = _WRITE.match(query["sql"])
        if match is None:
            continue
        verb, table = match.group(1).upper(), match.group(2)
        model = by_table.get(table)
        if verb == "INSERT INTO" and model is not None:
            if model not in inserted:
                inserted.append(model)
        elif model not in inserted:  # changed a row it had not made, or an unknown table
            return built, None
    if any(before[model] for model in inserted):
        # Rows made before (by a fixture): this build's ids are not those of a build on
        # empty tables; a later build takes the snapshot.
        return built, _NOT_YET
    rows = []
    for model in inserted:
        names = [field.attname for field in model._meta.concrete_fields]
        made = model._base_manager.filter(pk__gt=before[model]).order_by("pk").values(*names)
        rows.append((model, list(made)))
    return built, _Snapshot(copy.deepcopy(built), rows, started, finished)


def _restore(snapshot: _Snapshot) -> Cast | None:
    now = timezone.now()
    shift = now - snapshot.started

    def moved(value: Any) -> Any:
        if isinstance(value, datetime) and snapshot.started <= value <= snapshot.finished:
            return value + shift
        return value

    tables = [
        (model, [row[model._meta.pk.attname] for row in rows]) for model, rows in snapshot.rows
    ]
    if _any_row_at_or_past(tables):
        return None
    try:
        with transaction.atomic():
            for model, rows in snapshot.rows:
                model._base_manager.bulk_create(
                    [model(**{name: moved(value) for name, value in row.items()}) for row in rows]
                )
            _sequences_past(tables)
    except IntegrityError:
        return None
    cast = copy.deepcopy(snapshot.cast)
    _move_times(cast, moved)
    return cast


def _any_row_at_or_past(tables: list[tuple[type[models.Model], list[int]]]) -> bool:
    """Whether any table already holds a row whose id is at or past the snapshot's first."""
    quote = connection.ops.quote_name
    checks = [
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} >= {int(min(ids))})"
        for model, ids in tables
        if ids
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(checks))
        return any(cursor.fetchone())


def _sequences_past(tables: list[tuple[type[models.Model], list[int]]]) -> None:
    """On PostgreSQL, move each table's id sequence past the restored ids (rows inserted with
    their ids do not advance it; it is already past them unless a test reset sequences).
    SQLite's AUTOINCREMENT follows the largest id inserted by itself."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    moves = []
    for model, ids in tables:
        if not ids:
            continue
        sequence = (
            f"pg_get_serial_sequence('{quote(model._meta.db_table)}', '{model._meta.pk.column}')"
        )
        moves.append(f"setval({sequence}, GREATEST(nextval({sequence}), {int(max(ids))}))")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(moves))


def _move_times(cast: Cast, moved: Any) -> None:
    """Apply ``moved`` to the date-times of every object of ``cast`` and of the related
    objects they hold (and drop the copy's mark of the Django version)."""
    seen: set[int] = set()
    pending: list[models.Model] = [getattr(cast, field.name) for field in fields(cast)]
    while pending:
        instance = pending.pop()
        if id(instance) in seen:
            continue
        seen.add(id(instance))
        # Added by the copy (pickling's way); the services' objects do not have it.
        instance.__dict__.pop(DJANGO_VERSION_PICKLE_KEY, None)
        for field in instance._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and field.attname in instance.__dict__:
                instance.__dict__[field.attname] = moved(instance.__dict__[field.attname])
        pending.extend(
            related
            for related in instance._state.fields_cache.values()
            if isinstance(related, models.Model)
        )


@pytest.fixture
def cast(db: None) -> Cast:
    return cast_from_snapshot()
