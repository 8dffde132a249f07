"""The ``faxline`` console script: Django's management commands under the faxline name.

``faxline migrate``, ``faxline demo``, ``faxline serve``, ``faxline web``, ``faxline worker``
and every other management command run with ``faxline.settings``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command with the faxline settings, as ``manage.py`` would."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    args = list(sys.argv if argv is None else argv)
    # Help and error messages then read "faxline <command>", also under ``python -m``.
    args[:1] = ["faxline"]

    from django.core.management import execute_from_command_line

    from faxline.config import ConfigError

    try:
        execute_from_command_line(args)
    except ConfigError as exc:
        # A bad environment variable: say which one, without a traceback.
        print(f"faxline: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
