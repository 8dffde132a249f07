"""Validation before submission: the first-time-right engine (issue 4).

A port request (:class:`PortRequestIn`, the JSON of the API and the CLI) is checked against
what the losing carrier checks, and every problem comes back as a :class:`Finding` with a
stable code (:data:`CODES`), a severity (an ``error`` blocks submission, a ``warning``
informs), the JSON path of the field and a message saying what to do next::

    findings = validate(parse_request(data), context=default_context())

Modules: ``request`` (the shape), ``normalize`` (how addresses, names, postal codes and
numbers are compared), ``tables`` (USPS Publication 28 and the other tables), ``rules`` (one
function per code), ``messages`` (the texts), ``engine`` (order and parsing).
"""

from faxline.porting.validation.codes import CODES, Finding
from faxline.porting.validation.context import ValidationContext, default_context
from faxline.porting.validation.engine import parse_request, shape_error, validate
from faxline.porting.validation.request import PortRequestIn

__all__ = [
    "CODES",
    "Finding",
    "PortRequestIn",
    "ValidationContext",
    "default_context",
    "parse_request",
    "shape_error",
    "validate",
]
