"""The LibreOffice bridge: a small process that keeps one headless LibreOffice warm.

Run by :mod:`faxline.documents.office` with the interpreter that has LibreOffice's Python
binding (Debian's ``python3-uno`` is for ``/usr/bin/python3``)::

    /usr/bin/python3 office_bridge.py SOFFICE PROFILE_DIR PIPE_NAME

It starts ``soffice`` headless with a UNO listener on a named pipe and the given profile,
connects to it, prints ``R`` once ready, then converts one document per line of JSON read
on stdin (``{"in": path, "out": path}``, to PDF; ``"filter"`` and ``"infilter"`` name other
LibreOffice filters), answering one line of JSON on stdout (``{"ok": true}`` or
``{"ok": false, "error": "..."}``). Documents are opened
hidden, read-only, with macros never run and links never updated (no network fetch);
every document is closed after its conversion. The parent kills the whole process group
(bridge and soffice) when a conversion overruns its time and starts another.

Nothing from faxline is imported here: this file runs under another interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

# LibreOffice's own filters, by the kind of document it opened.
PDF_FILTERS = (
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
)
START_SECONDS = 60.0


def _limits() -> None:
    """LibreOffice's limits: no core file, 4 GB of address space."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def main(argv: list[str]) -> int:
    import uno  # type: ignore[import-not-found]
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
    from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

    soffice, profile, pipe = argv[1], argv[2], argv[3]
    office = subprocess.Popen(  # noqa: S603 (the configured soffice)
        [
            soffice,
            "--headless",
            "--invisible",
            "--nocrashreport",
            "--nodefault",
            "--nologo",
            "--nofirststartwizard",
            "--norestore",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            f"-env:UserInstallation=file://{profile}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limits,
    )

    def prop(name: str, value: Any) -> Any:
        item = PropertyValue()
        item.Name, item.Value = name, value
        return item

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                return 1
            time.sleep(0.05)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    load_props = (
        prop("Hidden", True),
        prop("ReadOnly", True),
        prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
        prop("UpdateDocMode", 0),  # NO_UPDATE: links and external data stay as they are
        prop("RepairPackage", False),
    )
    sys.stdout.write("R\n")
    sys.stdout.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            props: tuple[Any, ...] = load_props
            if request.get("infilter"):
                props = (*load_props, prop("FilterName", str(request["infilter"])))
            document = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(request["in"]), "_blank", 0, props
            )
        except Exception as exc:  # a document LibreOffice cannot open
            _answer({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
            continue
        if document is None:
            _answer({"ok": False, "error": "not a document LibreOffice can open"})
            continue
        try:
            name = request.get("filter") or next(
                (f for service, f in PDF_FILTERS if document.supportsService(service)), None
            )
            if name is None:
                _answer({"ok": False, "error": "unknown kind of document"})
                continue
            document.storeToURL(
                uno.systemPathToFileUrl(request["out"]), (prop("FilterName", name),)
            )
            _answer({"ok": True})
        except Exception as exc:
            _answer({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
        finally:
            try:
                document.close(True)
            except Exception:  # already closed, or the close vetoed: disposed instead
                with contextlib.suppress(Exception):
                    document.dispose()
    with contextlib.suppress(Exception):  # the connection drops as soffice exits
        desktop.terminate()
    try:
        office.wait(timeout=10)
    except subprocess.TimeoutExpired:
        office.kill()
    return 0


def _answer(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main(sys.argv))
