"""Bulk Create: many fax user accounts from one CSV file.

The file is checked as a whole first (size, encoding, header, number of rows): a file that
fails those checks creates nothing. Then every data row goes through
``user_create`` inside its own savepoint, so a refused row leaves nothing behind
while the good rows around it are created. The report says, row by row, what happened.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from django.db import transaction

from faxline.accounts import selectors
from faxline.accounts.access import Actor
from faxline.accounts.models import Company, Department
from faxline.accounts.services.users import user_create
from faxline.core.audit import audit_record
from faxline.core.csvfile import decode_csv, read_records
from faxline.core.errors import DomainError, NotFound, ValidationFailed

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


@dataclass
class BulkRow:
    """The outcome of one data row. ``generated_password`` is set only when the password
    was generated; it is shown once in the report and stored nowhere in clear."""

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
    """Every data row of the file in order, with what became of it."""

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


def _decode(data: bytes) -> str:
    return decode_csv(data, max_bytes=MAX_BYTES)


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


def _create_row(
    *,
    actor: Actor,
    company: Company,
    record: _Record,
    departments: _Departments,
    default_department: Department | None,
) -> BulkRow:
    values = record.values
    text = values.get("department", "")
    department = departments.resolve(text) if text else default_department
    receiving = [p.strip() for p in values.get("receiving_emails", "").split(";") if p.strip()]
    if len(receiving) > MAX_RECEIVING:
        raise ValidationFailed(
            f"At most {MAX_RECEIVING} receiving email addresses.", field="receiving_emails"
        )
    password = values.get("password", "")
    with transaction.atomic():
        account = user_create(
            actor=actor,
            company=company,
            department=department,
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            username=values.get("username") or None,
            use_email_as_username=_flag(values.get("use_email_as_username", "")),
            password=password or None,
            generate_password=not password,
            contact={c: values[c] for c in CONTACT_COLUMNS if values.get(c)},
            sending_email=values.get("sending_email") or None,
            receiving_emails=receiving or None,
        )
    return BulkRow(
        row=record.row,
        line=record.line,
        status="created",
        username=account.user.username,
        user_id=account.user.pk,
        generated_password=account.generated_password,
    )


@transaction.atomic
def users_bulk_create(
    *,
    actor: Actor,
    company: Company,
    data: bytes,
    default_department: Department | None = None,
) -> BulkReport:
    """Create the fax user accounts listed in a CSV file (Bulk Create).

    Columns: first_name, last_name and email are required; username,
    use_email_as_username, department (a name or a full path such as
    ``Billing Dept -> Billing Level 1``), password (blank: generated), sending_email,
    receiving_emails (separated by semicolons, at most three), phone and custom1..custom4
    are optional. A blank department means ``default_department``, else the company level.

    The whole file is refused (``ValidationFailed`` on ``file``) when it is empty, larger
    than 1 MiB, not UTF-8 text, has unknown or missing columns or more than 1000 rows.
    Otherwise each row is created or refused on its own; a username that appears on more
    than one row is refused on every one of them.
    """
    actor.require("users.bulk_create")
    actor.require("users.manage")
    if not actor.sees_company(company):
        raise NotFound("Company not found.", field="company_id")
    if default_department is not None and (
        default_department.company_id != company.pk or not actor.sees_department(default_department)
    ):
        raise NotFound("Department not found.", field="department_id")
    records = _parse(_decode(data))
    departments = _Departments(actor, company)
    wanted = Counter(u for u in (_intended_username(r.values) for r in records) if u)
    report = BulkReport()
    for record in records:
        username = _intended_username(record.values)
        if record.problem is not None:
            report.rows.append(
                BulkRow(
                    record.row,
                    record.line,
                    "refused",
                    username,
                    message=record.problem,
                    field="file",
                )
            )
            continue
        if username and wanted[username] > 1:
            rows = [str(r.row) for r in records if _intended_username(r.values) == username]
            report.rows.append(
                BulkRow(
                    record.row,
                    record.line,
                    "refused",
                    username,
                    message=f"The username {username!r} appears on more than one row "
                    f"(rows {', '.join(rows)}); usernames must be unique.",
                    field="username",
                )
            )
            continue
        try:
            result = _create_row(
                actor=actor,
                company=company,
                record=record,
                departments=departments,
                default_department=default_department,
            )
        except DomainError as exc:
            result = BulkRow(
                record.row,
                record.line,
                "refused",
                username,
                message=exc.message,
                field=ROW_FIELDS.get(exc.field or "", exc.field),
            )
        report.rows.append(result)
    audit_record(
        kind="users.bulk_created",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={
            "rows": len(report.rows),
            "created": report.created,
            "refused": report.refused,
            "default_department_id": default_department.pk if default_department else None,
        },
    )
    return report
