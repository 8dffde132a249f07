"""``faxline porting validate FILE`` and ``faxline porting extract FILE``.

``validate``: check a port request before it is submitted.

FILE is the request's JSON (``-`` reads standard input). Prints
``{"findings": [{"code", "severity", "field", "message"}, ...]}`` and exits 0 whenever the
validator ran, whatever it found; exits 2 with one line on standard error, and nothing on
standard output, when the input cannot be read (no such file, not JSON, or JSON that is not a
port request: the line names the field). Outside checks depend on this: keep it stable.

``extract``: read a bill or CSR (a PDF, or a scan or faxed page as TIFF, PNG or JPEG) and
print what was found, exactly :meth:`~faxline.documents.reading.extract.Extraction.as_json`:
``{"document_type", "facts": {...}, "pages", "ocr"}`` (nulls for what was not found, numbers
E.164, dates ISO); exits 2 with one line on standard error, and nothing on standard output,
when the file cannot be read or is refused (missing, empty, neither a PDF nor an image,
encrypted, too large, unreadable). Outside checks depend on this too (issue 14).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any, NoReturn, TextIO

from django.core.management.base import BaseCommand, CommandParser
from pydantic import ValidationError

from faxline.core.errors import DomainError
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.porting.validation import (
    CODES,
    parse_request,
    shape_error,
    validate,
)


class UnreadableInput(Exception):
    """Input the validator cannot read; the message is the line for standard error."""


class Command(BaseCommand):
    help = (
        "Number porting tools. `validate FILE` checks a port request (JSON; - for stdin); "
        "`extract FILE` reads a bill or CSR (PDF or image) and prints its facts as JSON."
    )
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
        extract_parser: ArgumentParser = actions.add_parser(
            "extract",
            help="Read a bill or CSR (PDF or image) and print the facts found as JSON.",
            description=(
                'Read a bill or CSR and print {"document_type", "facts": {"account_name", '
                '"service_address", "btn", "account_number", "statement_date", "numbers", '
                '"authorized_names", "line_features"}, "pages", "ocr"}: null for what was '
                "not found.\nExits 0 when it was read, 2 with one line on stderr when the file "
                "cannot be read or is refused."
            ),
            formatter_class=RawDescriptionHelpFormatter,
        )
        extract_parser.add_argument(
            "file", metavar="FILE", help="the document (PDF, TIFF, PNG or JPEG)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "extract":
            self._extract(options["file"])
            return
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

    def _extract(self, path: str) -> None:
        from faxline.documents.reading.extract import extract

        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)  # extract refuses what is larger
            extraction = extract(data, filename=path)
        except OSError as exc:
            self._refuse("extract", f"cannot read {path}: {exc.strerror or exc}")
        except DomainError as exc:  # the refusals (ValidationFailed) and a busy sandbox
            # Most refusals name the file; those from inside the sandbox say "The document".
            named = exc.message if path in exc.message else f"{path}: {exc.message}"
            self._refuse("extract", named)
        self.stdout.write(json.dumps(extraction.as_json(), indent=2, ensure_ascii=False))

    def _refuse(self, action: str, message: str) -> NoReturn:
        """One line on standard error (a newline in a file name would make two), exit 2."""
        line = " ".join(message.split())
        self.stderr.write(f"faxline porting {action}: {line}", style_func=lambda s: s)
        raise SystemExit(2) from None

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
