"""The catalogue of administrator rights, grouped as the Rights tab shows them.

Rights gate changes (and the viewing of activity and reports); every administrator may view
the hierarchy within their scope. Clearing a group's main box clears its members (the guide
says so).

A Read-Only Administrator "is permitted to view settings and administrative report data but
may not make changes" (the guide): they hold view rights only (``READ_RIGHTS``). Ticking
Read-Only clears every right that changes something (``CHANGE_RIGHTS``); the view rights stay
as they were ticked. ``held_rights`` is that rule, for the services that save rights and
every place that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Right:
    code: str
    label: str


@dataclass(frozen=True)
class RightGroup:
    code: str
    label: str
    rights: tuple[Right, ...]


RIGHT_GROUPS: tuple[RightGroup, ...] = (
    RightGroup(
        "account_administration",
        "Account Administration",
        (
            Right("departments.manage", "Add, change and delete departments"),
            Right("users.manage", "Add, change and delete user accounts"),
            Right("users.lock", "Lock and unlock user accounts"),
            Right("users.bulk_create", "Bulk create user accounts"),
            Right("administrators.manage", "Add and change administrators and their rights"),
        ),
    ),
    RightGroup(
        "settings",
        "Settings",
        (
            Right("settings.fax", "Fax settings"),
            Right("blocking.manage", "Outbound number blocking"),
            Right("settings.coverpage", "Coverpage settings"),
            Right("settings.notifications", "Notification settings"),
            Right("settings.custom", "Date and time settings"),
            Right("settings.archive", "Archive settings"),
            Right("settings.security", "Security policy"),
            Right("settings.contacts", "Emergency contacts"),
        ),
    ),
    RightGroup(
        "numbers",
        "Fax Numbers",
        (
            Right("numbers.view", "View fax number inventory"),
            Right("numbers.request", "Request inventory"),
            Right("numbers.assign", "Assign and release fax numbers"),
        ),
    ),
    RightGroup(
        "porting",
        "Number Porting",
        (
            Right("porting.view", "View port requests"),
            Right("porting.manage", "Create, change and cancel port requests"),
        ),
    ),
    RightGroup(
        "activity",
        "Activity",
        (
            Right("activity.outbound", "View outbound activity"),
            Right("activity.inbound", "View inbound activity"),
            Right("activity.resend", "Resend faxes"),
            Right("activity.resubmit", "Resubmit received faxes"),
        ),
    ),
    RightGroup(
        "reports",
        "Reports",
        (
            Right("reports.accounting", "View accounting"),
            Right("reports.run", "Run reports"),
        ),
    ),
)

ALL_RIGHTS: frozenset[str] = frozenset(r.code for g in RIGHT_GROUPS for r in g.rights)
GROUP_OF: dict[str, str] = {r.code: g.code for g in RIGHT_GROUPS for r in g.rights}
RIGHT_LABELS: dict[str, str] = {r.code: r.label for g in RIGHT_GROUPS for r in g.rights}

# Rights that only read; everything else changes something.
READ_RIGHTS: frozenset[str] = frozenset(
    {
        "numbers.view",
        "porting.view",
        "activity.outbound",
        "activity.inbound",
        "reports.accounting",
        "reports.run",
    }
)


CHANGE_RIGHTS: frozenset[str] = ALL_RIGHTS - READ_RIGHTS


def held_rights(codes: list[str] | set[str] | frozenset[str], *, read_only: bool) -> list[str]:
    """The rights an administrator holds, sorted: a read-only one keeps only view rights."""
    held = set(codes) & ALL_RIGHTS
    return sorted(held & READ_RIGHTS if read_only else held)


def normalize_rights(codes: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """Return the known rights among ``codes``, sorted; unknown codes raise ``ValueError``."""
    unknown = sorted(set(codes) - ALL_RIGHTS)
    if unknown:
        raise ValueError(f"unknown rights: {', '.join(unknown)}")
    return sorted(set(codes))


def clear_group(codes: set[str], group_code: str) -> set[str]:
    """The rights left after clearing a group's main box."""
    return {c for c in codes if GROUP_OF.get(c) != group_code}


def ticked_rights(rights: list[str], groups: list[str]) -> list[str]:
    """The rights ticked on a Rights form, minus every group whose main box is not ticked
    (the guide: clearing a main category clears its rights), sorted."""
    kept = set(rights)
    for group in RIGHT_GROUPS:
        if group.code not in groups:
            kept = clear_group(kept, group.code)
    return sorted(kept)
