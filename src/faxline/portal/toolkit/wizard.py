"""The portal's wizard engine: a form shown one step at a time (Add Department, Add User
Account, + New Port Request).

The whole form travels with every request: the steps not shown stay in the page, hidden,
so what was typed is kept between steps without any server-side state, and the server sees
and checks everything at Finish. The buttons post ``action``:

- ``next`` judges only the step being left (its fields, then an optional ``check_step``)
  and moves on when it is clean;
- ``back`` moves back without judging anything;
- ``finish`` (or ``next`` on the last step) judges every step: the first step with an error
  is shown, else :attr:`Wizard.finish` is set and the view calls the service through
  :meth:`Wizard.submit`, whose refusal is shown on the field it names, at that field's step;
- any action the view declares in ``stay`` keeps the wizard on its step (a live check, add
  a row...): the view does the work, the engine keeps the errors of that step only.

``step`` is the step shown, ``reached`` the furthest step reached so far (both posted back as
hidden fields by ``portal/wizard/_state.html``). :meth:`Wizard.render` answers an htmx swap
of the wizard (``#fx-wizard``) with the wizard's card alone, a plain request with the page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse

from faxline.core.errors import DomainError, NotFound
from faxline.portal.toolkit.errors import field_named
from faxline.portal.toolkit.htmx import render_page

T = TypeVar("T")
WIZARD_TARGET = "fx-wizard"


class StepsForm(forms.Form):
    """A form shown one step at a time. ``STEPS`` lists (title, field names) per step;
    errors not tied to a field belong to step 1."""

    STEPS: ClassVar[list[tuple[str, list[str]]]] = []
    # Hidden steps keep their fields in the page: the browser must not block "Next" on them.
    use_required_attribute = False

    @classmethod
    def step_count(cls) -> int:
        return len(cls.STEPS)

    def step_of(self, name: str | None) -> int:
        """The 1-based step that shows the field ``name`` (1 for errors of no field)."""
        for number, (_, names) in enumerate(self.STEPS, start=1):
            if name in names:
                return number
        return 1

    def errors_in_step(self, step: int) -> bool:
        names = self.STEPS[step - 1][1]
        return any(name in self.errors for name in names) or (
            step == 1 and bool(self.non_field_errors())
        )

    def keep_errors_of_step(self, step: int) -> None:
        """Drop the errors of other steps: "Next" only judges the step it leaves."""
        names = set(self.STEPS[step - 1][1])
        for name in list(self.errors):
            if name not in names and name != NON_FIELD_ERRORS:
                del self.errors[name]

    def first_step_with_errors(self) -> int | None:
        for number in range(1, self.step_count() + 1):
            if self.errors_in_step(number):
                return number
        return None

    def error_field(self, name: str | None) -> str | None:
        """The field of this form that shows a service's refusal naming ``name`` (None:
        above the form): the portal's rule (``errors.field_named``). Forms whose fields are
        named differently from the service's arguments override it."""
        return field_named(self, name)


@dataclass
class WizardStep:
    """One step as the step list shows it (``notices``: what a live check found there)."""

    number: int
    title: str
    names: list[str]
    current: bool
    done: bool
    has_errors: bool
    notices: list[Any] = field(default_factory=list)


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw or default)
    except ValueError:
        return default


F = TypeVar("F", bound=StepsForm)


class Wizard(Generic[F]):
    """Where a wizard stands after a request, and how it moves.

    Construct it with the request and the form (bound to what was posted; ``step``,
    ``reached`` and ``action`` are read from the form's data), let the view act on a special
    action if it has one, then call :meth:`advance`."""

    def __init__(self, request: HttpRequest, form: F) -> None:
        self.request = request
        self.form = form
        self.finish = False
        count = form.step_count()
        if request.method != "POST" or not form.is_bound:
            self.step, self.reached, self.action = 1, 1, "start"
            return
        # Read from the form's data: a view may have rewritten what was posted.
        data = form.data
        self.step = min(max(_int(data.get("step"), 1), 1), count)
        self.reached = min(max(_int(data.get("reached"), self.step), self.step), count)
        self.action = str(data.get("action") or "next")

    @property
    def posted(self) -> bool:
        return self.action != "start"

    @property
    def is_last(self) -> bool:
        return self.step == self.form.step_count()

    def stays(self, stay: Collection[str]) -> bool:
        """True when the action is one of ``stay`` (``remove`` also matches ``remove:3``)."""
        return any(self.action == name or self.action.startswith(name + ":") for name in stay)

    def advance(
        self,
        *,
        check_step: Callable[[F, int], None] | None = None,
        stay: Collection[str] = (),
    ) -> Wizard[F]:
        """Judge the form as the action asks and move to the step to show."""
        if not self.posted:
            return self
        form, count = self.form, self.form.step_count()
        form.is_valid()
        if self.action == "back":
            form.errors.clear()
            self.step = max(self.step - 1, 1)
            return self
        if self.stays(stay):
            form.keep_errors_of_step(self.step)
            return self
        if self.action == "finish" or (self.action == "next" and self.step == count):
            first = form.first_step_with_errors()
            if first is not None:
                self.step = first
            else:
                self.step, self.finish = count, True
            self.reached = max(self.reached, self.step)
            return self
        # Next: only the step being left is judged.
        form.keep_errors_of_step(self.step)
        if not form.errors_in_step(self.step) and check_step is not None:
            check_step(form, self.step)
        if form.errors_in_step(self.step):
            return self
        form.errors.clear()
        self.step = min(self.step + 1, count)
        self.reached = max(self.reached, self.step)
        return self

    def refuse(self, name: str | None, message: str) -> None:
        """Show ``message`` on the field ``name`` (None: above the form) and go to its step."""
        self.form.add_error(name, message)
        self.step = self.form.step_of(name)
        self.finish = False

    def submit(self, call: Callable[[], T]) -> T | None:
        """Finish: call the service. Its refusal is shown on the field it names, at that
        field's step (None is returned); a NotFound about nothing on the form propagates
        (the page answers 404)."""
        try:
            return call()
        except DomainError as exc:
            name = self.form.error_field(exc.field)
            if isinstance(exc, NotFound) and name is None:
                raise
            self.refuse(name, exc.message)
            return None

    def steps(self) -> list[WizardStep]:
        form = self.form
        return [
            WizardStep(
                number=number,
                title=title,
                names=list(names),
                current=number == self.step,
                done=number < self.step,
                has_errors=form.is_bound and form.errors_in_step(number),
            )
            for number, (title, names) in enumerate(form.STEPS, start=1)
        ]

    def context(self, **extra: Any) -> dict[str, Any]:
        """What the wizard templates (``portal/wizard/_*.html``) need, and ``extra``."""
        steps = self.steps()
        return {
            "form": self.form,
            "steps": steps,
            "current": steps[self.step - 1],
            "step": self.step,
            "reached": self.reached,
            "step_count": self.form.step_count(),
            "is_last": self.is_last,
            "action": self.action,
            **extra,
        }

    def render(
        self,
        page: str,
        context: Mapping[str, Any],
        *,
        card: str | None = None,
        status: int = 200,
    ) -> HttpResponse:
        """The page, or for an htmx swap of the wizard only ``card`` (the ``#fx-wizard``
        element that the page includes)."""
        partials = {WIZARD_TARGET: card} if card else None
        return render_page(self.request, page, context, partials=partials, status=status)


__all__ = ["StepsForm", "Wizard", "WizardStep"]
