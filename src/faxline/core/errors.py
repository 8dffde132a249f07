"""Domain errors: every refusal a service can make, with a stable code and the field it names.

The API turns them into JSON (``{"code", "message", "field"}``) with the status below; the
portal shows the message next to the field. Codes are part of the public contract.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. ``code`` is stable; ``message`` says what to do."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``field`` names the offending field."""

    status = 422
    default_code = "validation_error"


class NotFound(DomainError):
    """The object does not exist or is outside what the actor may see (never 403 for those)."""

    status = 404
    default_code = "not_found"


class Forbidden(DomainError):
    """The actor can see the object but lacks the right to change it."""

    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    """The object's state forbids the change (deleting a department with active users...)."""

    status = 409
    default_code = "conflict"


class AuthenticationFailed(DomainError):
    """Missing or wrong credentials."""

    status = 401
    default_code = "unauthenticated"


class Unavailable(DomainError):
    """The service cannot do it right now (too busy, a helper process missing); the same
    request may succeed later."""

    status = 503
    default_code = "unavailable"
