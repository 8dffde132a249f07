"""The first-time-right engine: run every rule on a request, in a stable order.

``validate(request, context=...)`` returns the findings ordered by the field they are about,
in the field order of the request (``numbers[0]`` before ``numbers[1]`` before ``btn``...),
then by code. :func:`parse_request` reads the JSON (a ``dict``) into a request and
:func:`shape_error` says in one line why it could not.
"""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from faxline.porting.validation.codes import Finding
from faxline.porting.validation.context import ValidationContext
from faxline.porting.validation.request import PortRequestIn
from faxline.porting.validation.rules import RULES, Facts


def validate(request: PortRequestIn, *, context: ValidationContext) -> list[Finding]:
    """Every finding of ``request``: errors block submission, warnings inform."""
    facts = Facts(request=request, context=context)
    findings = [f for rule in RULES for f in rule(facts)]
    return sorted(findings, key=lambda f: (field_order(f.field), f.code, f.message))


def parse_request(data: object) -> PortRequestIn:
    """The request in ``data`` (decoded JSON); raises pydantic's ``ValidationError``."""
    return PortRequestIn.model_validate(data)


def json_path(loc: tuple[int | str, ...]) -> str:
    """``("numbers", 2, "number")`` -> ``numbers[2].number``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def shape_error(exc: ValidationError) -> str:
    """The first problem of ``exc`` on one line, naming the field."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = json_path(tuple(first["loc"])) or "(the request)"
    message = _MESSAGES.get(first["type"], first["msg"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field}: {message}{more}"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        for arg in get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None


_PART = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


def field_order(path: str) -> tuple[int, ...]:
    """A sort key of a JSON path: the position of each name in its model, then list indexes."""
    key: list[int] = []
    model: type[BaseModel] | None = PortRequestIn
    for part in path.split("."):
        match = _PART.fullmatch(part)
        if match is None or model is None:
            key.append(999)
            model = None
            continue
        name, indexes = match.groups()
        names = list(model.model_fields)
        key.append(names.index(name) if name in names else len(names))
        key.extend(int(i) for i in re.findall(r"\d+", indexes))
        info = model.model_fields.get(name)
        model = _model_of(info.annotation) if info is not None else None
    return tuple(key)
