"""Uploads bounded while they stream in: a file over IMPORTS_MAX_FILE_BYTES is never held whole.

Django stores an upload (in memory, or in a temporary file) before the view runs, so a check of the finished
file comes too late to protect the disk and the memory of the web process. The upload handler below sits in
front of Django's own handlers and stops passing bytes on once the limit is crossed; the command line reads
its file in chunks under the same limit.
"""

from collections.abc import Callable, Iterable
from typing import cast

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from rentalbridge.imports.decoding import FileRefused

CHUNK_BYTES = 1 << 20


def too_large_message(limit: int) -> str:
    size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit:,} bytes"
    return f"The file is larger than the limit of {size} (IMPORTS_MAX_FILE_BYTES)."


def read_limited(chunks: Iterable[bytes], limit: int) -> bytes:
    """Join the chunks, refusing as soon as they add up to more than `limit` bytes."""
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise FileRefused(too_large_message(limit))
        parts.append(chunk)
    return b"".join(parts)


class LimitedUploadHandler(FileUploadHandler):
    """Passes each file's chunks on to the next handlers until the file exceeds `limit`, then drops it.

    The dropped file never reaches memory or disk: Django reads the rest of the request and throws it away.
    `exceeded` tells the view why the file field came back empty.
    """

    def __init__(self, request: HttpRequest | None = None, limit: int = 0) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_exceeded(request: HttpRequest) -> bool:
    return any(getattr(handler, "exceeded", False) for handler in request.upload_handlers)


def limit_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Put a LimitedUploadHandler in front of the request's upload handlers before anything reads the body.

    The CSRF middleware reads the body, so it is skipped for this wrapper only; `view` must check CSRF itself
    (the admin's views do: admin_site.admin_view wraps them in csrf_protect).
    """

    @csrf_exempt
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Still the mutable list: nothing has read the body yet (Django freezes it once the upload is parsed).
        handlers = cast(list[FileUploadHandler], request.upload_handlers)
        handlers.insert(0, LimitedUploadHandler(request, settings.IMPORTS_MAX_FILE_BYTES))
        return view(request, *args, **kwargs)

    return limited
