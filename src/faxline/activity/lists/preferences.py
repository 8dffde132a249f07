"""The columns and Row Count each person chose for an Activity list: read
(:func:`preference_get`) and saved (:func:`activity_preference_set`)."""

from __future__ import annotations

from dataclasses import dataclass

from faxline.accounts.access import Actor
from faxline.activity.lists.filters import DEFAULT_ROWS, ROW_COUNTS, ListDefinition
from faxline.activity.lists.inbound import INBOUND
from faxline.activity.lists.models import ActivityPreference
from faxline.activity.lists.outbound import OUTBOUND
from faxline.core.errors import ValidationFailed

LISTS: dict[str, ListDefinition] = {OUTBOUND.name: OUTBOUND, INBOUND.name: INBOUND}


@dataclass(frozen=True)
class ListPreference:
    """What a person sees of a list: the columns shown, in order, and the Row Count."""

    columns: tuple[str, ...]
    rows: int


def preference_get(*, actor: Actor, definition: ListDefinition) -> ListPreference:
    """The actor's choice for the list, or its defaults (columns no longer offered are
    dropped)."""
    saved = ActivityPreference.objects.filter(
        user_id=actor.user.pk, list_name=definition.name
    ).first()
    columns = tuple(c for c in (saved.columns if saved else []) if c in definition.column_keys)
    rows = saved.row_count if saved and saved.row_count in ROW_COUNTS else DEFAULT_ROWS
    return ListPreference(columns or definition.default_columns, rows)


def activity_preference_set(
    *,
    actor: Actor,
    definition: ListDefinition,
    columns: list[str] | None = None,
    rows: int | None = None,
) -> ListPreference:
    """Remember the actor's columns (at least one, of the list's) and/or Row Count (one of
    :data:`ROW_COUNTS`) for the list; the other stays as it was."""
    fields: dict[str, object] = {}
    if columns is not None:
        unknown = [c for c in columns if c not in definition.column_keys]
        if unknown:
            raise ValidationFailed(
                f"columns: {unknown[0][:30]!r} is not a column of {definition.title}.",
                field="columns",
            )
        if not columns:
            raise ValidationFailed("columns: keep at least one column.", field="columns")
        fields["columns"] = list(dict.fromkeys(columns))
    if rows is not None:
        if rows not in ROW_COUNTS:
            raise ValidationFailed(
                f"rows: the Row Count is one of {', '.join(map(str, ROW_COUNTS))}.",
                field="rows",
            )
        fields["row_count"] = rows
    if fields:
        ActivityPreference.objects.update_or_create(
            user_id=actor.user.pk, list_name=definition.name, defaults=fields
        )
    return preference_get(actor=actor, definition=definition)
