"""A CSV download streamed as it is made, under WSGI and ASGI alike.

Django serves a synchronous iterator under ASGI by reading it whole into a list first;
a 1,000,000-row file would then sit in memory. Under ASGI the pieces are pulled one at a
time through ``sync_to_async`` (thread-sensitive: the database connection stays the
request's) instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse


async def _pulled(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    step = sync_to_async(lambda: next(pieces, None), thread_sensitive=True)
    while (piece := await step()) is not None:
        yield piece


def csv_download(
    request: HttpRequest, pieces: Iterator[bytes], filename: str
) -> StreamingHttpResponse:
    """A ``text/csv`` attachment streamed piece by piece."""
    content = _pulled(iter(pieces)) if isinstance(request, ASGIRequest) else pieces
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
