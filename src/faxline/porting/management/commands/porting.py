"""``faxline porting validate FILE``: check a port request before it is submitted.

FILE is the request's JSON (``-`` reads standard input). Prints
``{"findings": [{"code", "severity", "field", "message"}, ...]}`` and exits 0 whenever the
validator ran, whatever it found; exits 2 with one line on standard error, and nothing on
standard output, when the input cannot be read (no such file, not JSON, or JSON that is not a
port request: the line names the field). Outside checks depend on this: keep it stable.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser
from pydantic import ValidationError

from faxline.porting.validation import (
    CODES,
    parse_request,
    shape_error,
    validate,
)


class UnreadableInput(Exception):
    """Input the validator cannot read; the message is the line for standard error."""


class Command(BaseCommand):
    help = "Number porting tools. `validate FILE` checks a port request (JSON; - for stdin)."
    stealth_options = ("stdin",)
    requires_system_checks: list[str] = []  # a pure check of a file: no database, no checks

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        validate_parser: ArgumentParser = actions.add_parser(
            "validate",
            help="Check a port request before submission and print its findings as JSON.",
            description=(
                'Check a port request (JSON) and print {"findings": [{"code", "severity", '
                '"field", "message"}]}.\nExits 0 when it ran (whatever it found), 2 with one '
                "line on stderr when the input cannot be read."
            ),
            epilog="finding codes (an error blocks submission, a warning informs):\n"
            + "\n".join(f"  {code:<27} {info.severity}" for code, info in CODES.items()),
            formatter_class=RawDescriptionHelpFormatter,
        )
        validate_parser.add_argument("file", metavar="FILE", help="the request; - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        try:
            data = self._read(options["file"], stdin)
            request = parse_request(data)
        except UnreadableInput as exc:
            self.stderr.write(f"faxline porting validate: {exc}", style_func=lambda s: s)
            raise SystemExit(2) from None
        except ValidationError as exc:
            name = self._name(options["file"])
            self.stderr.write(
                f"faxline porting validate: {name} is not a port request: {shape_error(exc)}",
                style_func=lambda s: s,
            )
            raise SystemExit(2) from None
        from faxline.porting.validation.checks import platform_context

        findings = validate(request, context=platform_context())
        payload = {"findings": [f.as_dict() for f in findings]}
        self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))

    @staticmethod
    def _name(path: str) -> str:
        return "standard input" if path == "-" else path

    def _read(self, path: str, stdin: TextIO) -> object:
        name = self._name(path)
        try:
            if path == "-":
                text = stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise UnreadableInput(f"cannot read {name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UnreadableInput(f"{name} is not UTF-8 text") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnreadableInput(
                f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        if not isinstance(data, dict):
            raise UnreadableInput(f"{name} is not a port request: it must be a JSON object")
        return data
