"""``faxline porting validate FILE``: JSON findings and exit 0 when it ran; exit 2, a line on
stderr and nothing on stdout for input it cannot read.

The in-process tests call the command class directly; the subprocess tests run the real
console script (they need ``faxline.porting`` in INSTALLED_APPS)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from validation_support import EXAMPLES, valid_request

from faxline.porting.management.commands.porting import Command

FAXLINE = Path(sys.executable).with_name("faxline")

# The validator reads the open requests and numbers in service from the database.
pytestmark = pytest.mark.django_db


def run_command(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(Command(), *args, stdout=out, stderr=err, stdin=io.StringIO(stdin))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, data: Any, name: str = "request.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_valid_file_prints_no_findings(tmp_path: Path) -> None:
    code, out, err = run_command("validate", write(tmp_path, valid_request()))
    assert (code, json.loads(out), err) == (0, {"findings": []}, "")


def test_findings_are_printed_with_exit_0() -> None:
    code, out, err = run_command("validate", str(EXAMPLES / "port-request-mismatches.json"))
    assert code == 0 and err == ""
    findings = json.loads(out)["findings"]
    assert {tuple(f) for f in findings} == {("code", "severity", "field", "message")}
    assert findings[0] == {
        "code": "NUMBER_NOT_ON_ACCOUNT",
        "severity": "error",
        "field": "numbers[2].number",
        "message": findings[0]["message"],
    }
    assert {f["severity"] for f in findings} == {"error", "warning"}


def test_stdin() -> None:
    data = valid_request()
    data["csr"] = None
    code, out, _ = run_command("validate", "-", stdin=json.dumps(data))
    assert code == 0
    assert [f["code"] for f in json.loads(out)["findings"]] == ["CSR_MISSING"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON: Expecting property name enclosed in double quotes at line 1"),
        ("", "is not JSON"),
        ("[1, 2]", "is not a port request: it must be a JSON object"),
        ('{"as_of": "2025-06-30"}', "is not a port request: numbers: required field is missing"),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, content)
    code, out, err = run_command("validate", path)
    assert code == 2 and out == ""
    assert err.startswith(f"faxline porting validate: {path} ")
    assert message in err and err.count("\n") == 1


def test_a_bad_shape_names_the_field(tmp_path: Path) -> None:
    data = valid_request()
    data["numbers"][1]["line_type"] = "cell"
    code, out, err = run_command("validate", write(tmp_path, data))
    assert code == 2 and out == ""
    assert "numbers[1].line_type: Input should be 'landline'" in err


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    code, out, err = run_command("validate", str(missing))
    assert (code, out) == (2, "")
    assert err == f"faxline porting validate: cannot read {missing}: No such file or directory\n"


def test_bad_stdin_exits_2() -> None:
    code, out, err = run_command("validate", "-", stdin="nope")
    assert (code, out) == (2, "")
    assert err.startswith("faxline porting validate: standard input is not JSON")


def test_not_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"business_name": "Caf\xe9"}')
    code, out, err = run_command("validate", str(path))
    assert (code, out) == (2, "")
    assert "is not UTF-8 text" in err


# -- the real console script (needs faxline.porting in INSTALLED_APPS)


def faxline(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FAXLINE), "porting", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_console_script_file_and_stdin() -> None:
    example = EXAMPLES / "port-request-valid.json"
    by_file = faxline("validate", str(example))
    assert (by_file.returncode, json.loads(by_file.stdout), by_file.stderr) == (
        0,
        {"findings": []},
        "",
    )
    mismatches = (EXAMPLES / "port-request-mismatches.json").read_text()
    by_stdin = faxline("validate", "-", stdin=mismatches)
    assert by_stdin.returncode == 0
    assert len(json.loads(by_stdin.stdout)["findings"]) == 14


def test_console_script_exits_2(tmp_path: Path) -> None:
    missing = faxline("validate", str(tmp_path / "missing.json"))
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr.startswith("faxline porting validate: cannot read ")
    bad = faxline("validate", "-", stdin='{"numbers": "x"}')
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.strip().startswith("faxline porting validate: standard input is not a port")
    assert len(bad.stderr.strip().splitlines()) == 1
