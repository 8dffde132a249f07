"""One owner per lifecycle (DESIGN.md rule 11), checked on the source.

A fax number changes only in ``numbers/services.py``; a port request's status only through
the transition services of ``porting/requests/services.py`` (``transition()`` is called by
them and by completion only); an onboarding order's status only in
``onboarding/services.py``. The scan reads every module of ``src/faxline`` with ``ast`` and
names the file and line of each write elsewhere:

- ``FaxNumber(...)``, and ``create`` / ``bulk_create`` / ``get_or_create`` /
  ``update_or_create`` / ``update`` / ``bulk_update`` / ``delete`` on a ``FaxNumber`` query
  (``FaxNumber.objects...`` or a ``.fax_numbers`` related manager);
- ``.update(status=...)`` / ``.create(status=...)`` on ``PortRequest`` or ``OnboardingOrder``;
- ``<anything>.status = ...`` and ``setattr(<anything>, "status", ...)``;
- a call of ``transition(...)``.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "faxline"

WRITES = frozenset(
    {
        "create",
        "bulk_create",
        "get_or_create",
        "update_or_create",
        "update",
        "bulk_update",
        "delete",
    }
)
NUMBER_OWNERS = frozenset({"numbers/services.py"})
# Models whose ``status`` has one owner, and the modules allowed to write it.
STATUS_OWNERS: dict[str, frozenset[str]] = {
    "PortRequest": frozenset({"porting/requests/services.py"}),
    "OnboardingOrder": frozenset({"onboarding/services.py"}),
    "FaxJob": frozenset({"faxing/jobs/state.py"}),
    # Generate current month's Call Detail Records: queued, running, done or failed.
    "CdrGeneration": frozenset({"activity/accounting/services.py"}),
}
TRANSITION_CALLERS = frozenset({"porting/requests/services.py", "porting/requests/completion.py"})
# An outbound fax job's status: ``job_transition()`` of ``faxing/jobs/state.py``, called by the
# job services (acceptance, the dispatcher, cancel).
JOB_TRANSITION_CALLERS = frozenset(
    {"faxing/jobs/state.py", "faxing/jobs/dispatcher.py", "faxing/jobs/services.py"}
)
# ``.status =`` on objects that are not models (the owners themselves are allowed too).
STATUS_ATTRIBUTE_ALLOWED = frozenset(
    {
        # A bulk import's report row ("created" / "refused"), not a port request.
        ("porting/requests/bulk.py", "group"),
        # A SIP response's status code and a refused call's (SIP, not a model's lifecycle).
        ("telephony/sip/message.py", "self"),
        ("telephony/sip/dialog.py", "self"),
    }
)
ANY_STATUS_OWNER = frozenset().union(NUMBER_OWNERS, *STATUS_OWNERS.values())


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"src/faxline/{self.path}:{self.line}: {self.what}"


def _chain(node: ast.expr) -> list[ast.expr]:
    """The receivers of a call chain, outermost first: ``A.objects.filter(x).update`` →
    [A.objects.filter(x).update, A.objects.filter(x), A.objects.filter, A.objects, A]."""
    found = [node]
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return found
        found.append(node)


def _root_name(node: ast.expr) -> str:
    root = _chain(node)[-1]
    return root.id if isinstance(root, ast.Name) else ""


def _on_fax_numbers(node: ast.expr) -> bool:
    chain = _chain(node)
    if _root_name(node) == "FaxNumber":
        return True
    return any(isinstance(n, ast.Attribute) and n.attr == "fax_numbers" for n in chain)


def _has_status_keyword(call: ast.Call) -> bool:
    return any(k.arg == "status" for k in call.keywords)


def violations(path: str, source: str) -> list[Violation]:
    """Every write of an owned state in ``source`` (module ``path``, relative to
    ``src/faxline``) that its owner does not make."""
    tree = ast.parse(source, filename=path)
    found: list[Violation] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(Violation(path, getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "FaxNumber" and path not in NUMBER_OWNERS:
                flag(node, "FaxNumber(...) built outside numbers/services.py")
            if isinstance(func, ast.Attribute) and func.attr in WRITES:
                if _on_fax_numbers(func.value) and path not in NUMBER_OWNERS:
                    flag(node, f"FaxNumber .{func.attr}() outside numbers/services.py")
                model = _root_name(func.value)
                owners = STATUS_OWNERS.get(model)
                if owners and _has_status_keyword(node) and path not in owners:
                    flag(node, f"{model} status written by .{func.attr}() outside its owner")
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "transition" and path not in TRANSITION_CALLERS:
                flag(node, "transition() called outside the port request's transition services")
            if name == "job_transition" and path not in JOB_TRANSITION_CALLERS:
                flag(node, "job_transition() called outside the fax job services")
            if (
                isinstance(func, ast.Name)
                and func.id == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "status"
                and path not in ANY_STATUS_OWNER
            ):
                flag(node, 'setattr(..., "status", ...) outside an owner of a status')
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                owner = target.value.id if isinstance(target.value, ast.Name) else ""
                if path in ANY_STATUS_OWNER or (path, owner) in STATUS_ATTRIBUTE_ALLOWED:
                    continue
                flag(target, f"{ast.unparse(target)} = ... outside an owner of a status")
    return sorted(found, key=lambda v: v.line)


def _modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_states_are_written_only_by_their_owners() -> None:
    modules = _modules()
    assert len(modules) > 100  # the scan sees the whole source
    found = [str(v) for path, source in modules for v in violations(path, source)]
    assert found == [], "Writes outside the owner's services:\n" + "\n".join(found)


def test_the_scan_names_each_kind_of_write() -> None:
    source = textwrap.dedent(
        """
        from faxline.numbers.models import FaxNumber

        def sneaky(company, request, order, row):
            FaxNumber.objects.create(number="+12065550100")
            FaxNumber.objects.filter(company=company).update(status="aging")
            FaxNumber.objects.filter(pk=row.pk).delete()
            company.fax_numbers.all().delete()
            FaxNumber(number="+12065550101").save()
            PortRequest.objects.filter(pk=request.pk).update(status="completed")
            OnboardingOrder.objects.filter(pk=order.pk).update(status="complete")
            request.status = "cancelled"
            setattr(order, "status", "complete")
            transition(request, actor=None, allowed_from=(), to="new", kind="x")
            FaxJob.objects.filter(pk=1).update(status="success")
            job_transition(job, allowed_from=(), to="failed", kind="x")
            FaxNumber.objects.filter(company=company).count()
            PortRequest.objects.filter(pk=request.pk).update(assignee=None)
        """
    )
    found = violations("porting/desk/services.py", source)
    assert [(v.line, v.what.split(" ")[0]) for v in found] == [
        (5, "FaxNumber"),
        (6, "FaxNumber"),
        (7, "FaxNumber"),
        (8, "FaxNumber"),
        (9, "FaxNumber(...)"),
        (10, "PortRequest"),
        (11, "OnboardingOrder"),
        (12, "request.status"),
        (13, "setattr(...,"),
        (14, "transition()"),
        (15, "FaxJob"),
        (16, "job_transition()"),
    ]
    assert str(found[0]) == (
        "src/faxline/porting/desk/services.py:5: FaxNumber .create() outside numbers/services.py"
    )
    # The owners themselves may.
    assert violations("numbers/services.py", source)[0].what.startswith("PortRequest")
