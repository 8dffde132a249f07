"""The dependency graph of docs/architecture.md holds, and a wrong import fails `make test`
with the name of the rule it breaks.

The import-linter contracts live in pyproject.toml. These tests run ``lint-imports`` on a
copy of the source with one wrong import added, as CI would meet it. What import-linter
cannot see (a module named in a string) is checked here too, for the parts that must know
no domain app.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "faxline"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

LAYERS = "An app imports only the apps below it (docs/architecture.md)"
CORE = "core knows no domain app and not the shell"
PORTAL = "portal knows no domain app: apps register their dashboard panels"
ACCOUNTS = "accounts knows no fax numbers, faxes, notifications, onboarding or ports"
DOCUMENTS = "documents knows no ports, jobs or tenants"
SHELL = "No app imports the project shell (faxline.api, urls, settings, cli)"
CONTRACTS = (LAYERS, CORE, PORTAL, ACCOUNTS, DOCUMENTS, SHELL)

DOMAIN_APPS = (
    "accounts",
    "numbers",
    "faxing",
    "notify",
    "onboarding",
    "porting",
    "documents",
    "telephony",
    "gateway",
    "activity",
)


def lint(tmp_path: Path, changes: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on a copy of the package with ``changes`` (path: text) appended."""
    src = tmp_path / "src"
    shutil.copytree(
        PACKAGE,
        src / "faxline",
        ignore=shutil.ignore_patterns("templates", "static", "data", "__pycache__", "*.html"),
    )
    for relative, text in changes.items():
        path = src / "faxline" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_contract_is_kept(tmp_path: Path) -> None:
    result = lint(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("changes", "broken", "evidence"),
    [
        pytest.param(
            {"core/errors.py": "from faxline.accounts import models as _accounts"},
            # the portal and documents use core, so they would reach accounts too
            [CORE, PORTAL, DOCUMENTS, LAYERS],
            "faxline.core.errors -> faxline.accounts.models",
            id="core-imports-accounts",
        ),
        pytest.param(
            {"accounts/views.py": "from faxline.numbers import selectors as _numbers"},
            [ACCOUNTS, LAYERS],
            "faxline.accounts.views -> faxline.numbers.selectors",
            id="accounts-imports-numbers",
        ),
        pytest.param(
            {"portal/views.py": "from faxline.onboarding import views as _onboarding"},
            [PORTAL, LAYERS],
            "faxline.portal.views -> faxline.onboarding.views",
            id="portal-imports-onboarding",
        ),
        pytest.param(
            {"notify/api.py": "from faxline.api import api as _api"},
            [SHELL, LAYERS],
            "faxline.notify.api -> faxline.api",
            id="notify-imports-the-root-api",
        ),
        pytest.param(
            {"numbers/views.py": "from faxline.faxing import credits as _credits"},
            [LAYERS],
            "faxline.numbers is not allowed to import faxline.faxing",
            id="numbers-imports-faxing",
        ),
        pytest.param(
            {"onboarding/services.py": "from faxline.faxing import credits as _credits"},
            [LAYERS],
            "faxline.onboarding is not allowed to import faxline.faxing",
            id="siblings-are-independent",
        ),
        pytest.param(
            {"billing/__init__.py": '"""A new app, not yet placed in the graph."""'},
            [LAYERS],
            "faxline.billing",
            id="a-new-app-must-be-given-a-layer",
        ),
        pytest.param(
            {
                "documents/__init__.py": '"""Intake, PDF and image handling, sealing."""',
                "documents/intake.py": "from faxline.porting import models as _ports",
            },
            # accounts uses documents (cover page templates), so it would reach porting too
            [DOCUMENTS, ACCOUNTS, LAYERS],
            "faxline.documents.intake -> faxline.porting.models",
            id="documents-imports-porting",
        ),
    ],
)
def test_a_wrong_import_breaks_the_rule_it_names(
    tmp_path: Path, changes: dict[str, str], broken: list[str], evidence: str
) -> None:
    result = lint(tmp_path, changes)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in broken:
        assert f"{name} BROKEN" in result.stdout
    for name in set(CONTRACTS) - set(broken):
        assert f"{name} KEPT" in result.stdout
    assert evidence in result.stdout


def test_documents_below_core_is_allowed(tmp_path: Path) -> None:
    """When the documents app exists, it sits in its layer: it may use core, and porting may
    use it."""
    result = lint(
        tmp_path,
        {
            "documents/__init__.py": '"""Intake, PDF and image handling, sealing."""',
            "documents/intake.py": "from faxline.core import errors as _errors",
            "porting/models.py": "from faxline.documents import intake as _intake",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- what import-linter cannot see -------------------------------------------------------

_APPS = "|".join(DOMAIN_APPS)
# A module path ("faxline.numbers.urls"), a model by app label ("accounts.Company") or a URL
# name ("numbers:inventory").
NAMED_APP = re.compile(rf"\bfaxline\.(?:{_APPS})\b|^(?:{_APPS})\.[A-Z]\w*$|^(?:{_APPS}):\w+$")
# The audit trail is scoped to the tenant: core's one foreign key into a domain app, by app
# label (docs/architecture.md, "core and the tenant").
ALLOWED = {("core/models.py", "accounts.Company")}


def _strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _agnostic_modules() -> list[Path]:
    modules = [PACKAGE / "api.py", PACKAGE / "urls.py"]
    for part in ("core", "portal"):
        modules += [
            p
            for p in (PACKAGE / part).rglob("*.py")
            if "migrations" not in p.relative_to(PACKAGE).parts
        ]
    return sorted(modules)


def test_core_portal_and_the_shell_name_no_domain_app_in_strings() -> None:
    """A dotted path in a string (``"faxline.numbers.services:..."``, ``include(...)``) is an
    import the linter cannot see; these parts find apps through their AppConfig instead."""
    found = []
    for path in _agnostic_modules():
        relative = path.relative_to(PACKAGE).as_posix()
        for value in _strings(path):
            if NAMED_APP.search(value) and (relative, value) not in ALLOWED:
                found.append(f"{relative}: {value!r}")
    assert found == []


def test_portal_templates_name_no_domain_app() -> None:
    """The portal's own pages include no app's template and link no app's URL: panels do."""
    pattern = re.compile(
        r"""\{%\s*(?:include|extends)\s+["'](?:"""
        + "|".join(DOMAIN_APPS)
        + r""")/|\{%\s*url\s+["'](?:"""
        + "|".join(DOMAIN_APPS)
        + r"""):"""
    )
    found = [
        f"{path.relative_to(PACKAGE)}: {match.group(0)}"
        for path in sorted((PACKAGE / "portal" / "templates").rglob("*.html"))
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
