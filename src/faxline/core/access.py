"""The shape of every access rule: "may this actor do X, and if not, why".

Each app writes its rules once, in its own ``access.py``, as functions named
``may_<do_something>(actor, ...)`` that return a :class:`Decision`. The same decision serves
everyone who needs the rule:

- services enforce it: ``may_cancel(actor, request).check()`` raises the domain error (403,
  404 or 409, with its stable code) when the answer is no;
- views, templates and the API display it: a decision is true when allowed, and
  ``decision.reason`` is the sentence to show next to a button that is not offered.

Nothing outside ``access.py`` re-derives a rule from roles and rights.
"""

from __future__ import annotations

from dataclasses import dataclass

from faxline.core.errors import DomainError


@dataclass(frozen=True, eq=False)
class Decision:
    """An answer to "may this actor do X": allowed, or refused with the error that says why.

    True when allowed, so ``{% if may_cancel %}`` and ``if decision:`` read naturally.
    """

    refusal: DomainError | None = None

    @classmethod
    def allow(cls) -> Decision:
        return ALLOWED

    @classmethod
    def refuse(cls, error: DomainError) -> Decision:
        return cls(refusal=error)

    def __bool__(self) -> bool:
        return self.refusal is None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        """Why not, in words for the person (empty when allowed)."""
        return self.refusal.message if self.refusal is not None else ""

    @property
    def code(self) -> str:
        """The refusal's stable code (empty when allowed)."""
        return self.refusal.code if self.refusal is not None else ""

    def check(self) -> None:
        """Raise the refusal (services call this before writing)."""
        if self.refusal is not None:
            error = self.refusal
            # A fresh exception each time: one decision may be checked more than once.
            raise type(error)(error.message, code=error.code, field=error.field)


ALLOWED = Decision()
