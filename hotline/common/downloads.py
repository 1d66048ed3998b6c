"""The one way a stored file (an order's attachment, a knowledge entry's document) leaves the
server.  The views that call it have already checked that the user may see the file's
order or entry; this decides how the browser gets it.

* The content type is the one sniffed from the bytes at upload, with ``nosniff``: a
  browser never guesses a type of its own.
* Pictures, voice and video of the types we accept (``INLINE_TYPES``) may show in the
  page; anything else (PDF, Word, text, and SVG should it ever be accepted) is a download (``Content-Disposition: attachment``), so an uploaded
  document never renders inside our origin.
* ``Cache-Control: private, no-store``: an appeal's photo is personal data; no proxy or
  shared browser keeps it.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "audio/mpeg",
        "audio/x-wav",
        "audio/wav",
        "audio/amr",
        "audio/ogg",
        "audio/x-flac",
        "audio/mp4",
        "audio/m4a",
        "audio/aac",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "video/x-msvideo",
        "video/x-matroska",
        "video/3gpp",
    }
)


class StoredFileLike(Protocol):
    file: FieldFile
    content_type: str
    original_name: str


def file_response(stored: StoredFileLike) -> FileResponse:
    content_type = stored.content_type or "application/octet-stream"
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    response = FileResponse(stored.file.open("rb"), content_type=content_type)
    name = quote(stored.original_name or "file")
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{name}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
