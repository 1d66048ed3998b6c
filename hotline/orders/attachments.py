"""Attachment checks (§6.1.2): the kind and content type come from the file's bytes, never
from the client's claim; each kind has its own size limit (settings); an image may have at
most ``HOTLINE_MAX_IMAGE_PIXELS`` pixels and must pass Pillow's decompression-bomb check; a
public submission carries at most ``HOTLINE_PUBLIC_UPLOADS`` files and bytes
(``check_batch``).  Every refusal names the limit."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import logging
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import filetype
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from hotline import clock
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import Attachment, PendingUpload
from hotline.rules.limits import megabytes

log = logging.getLogger(__name__)

# A staged file not linked after this long is an orphan (the longest an action that stored
# it can take to commit, with a wide margin).
ORPHAN_AFTER = timedelta(hours=1)

# sniffed MIME type → attachment kind
ALLOWED: dict[str, str] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/bmp": "image",
    "audio/mpeg": "voice",
    "audio/x-wav": "voice",
    "audio/wav": "voice",
    "audio/amr": "voice",
    "audio/ogg": "voice",
    "audio/x-flac": "voice",
    "audio/mp4": "voice",
    "audio/m4a": "voice",
    "audio/aac": "voice",
    "video/mp4": "video",
    "video/webm": "video",
    "video/quicktime": "video",
    "video/x-msvideo": "video",
    "video/x-matroska": "video",
    "video/3gpp": "video",
    "application/pdf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "document",
    "application/msword": "document",
    "text/plain": "document",
}

KIND_LABELS = {"image": "图片", "voice": "语音", "video": "视频", "document": "文字材料"}


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """The MIME type the bytes say they are, or None.  UTF-8 text counts as text/plain."""
    guess = filetype.guess(head)
    if guess is not None:
        return guess.mime
    if b"\x00" in head:
        return None
    try:
        # final=False: a multi-byte character cut at the end of the sample is still text
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "text/plain" if head.strip() else None


def check(upload: UploadedFile, field: str = "file") -> Sniffed:
    """Validate one upload; raises ``ValidationFailed`` with a Chinese message."""
    upload.seek(0)
    head = upload.read(8192)
    mime = sniff(head)
    kind = ALLOWED.get(mime or "")
    if kind is None:
        raise ValidationFailed(
            {
                field: f"不支持的文件类型（{mime or '无法识别'}）：仅接受图片、语音、视频和 PDF/Word/文本材料"
            }
        )
    limit = settings.HOTLINE_ATTACHMENT_LIMITS[kind]
    size = upload.size or 0
    if size > limit:
        raise ValidationFailed(
            {field: f"{KIND_LABELS[kind]}文件不能超过 {megabytes(limit)}（收到 {megabytes(size)}）"}
        )
    if size == 0:
        raise ValidationFailed({field: "文件为空"})
    if kind == "image":
        check_image(upload, field)
    sha256 = digest(upload)
    upload.seek(0)
    return Sniffed(kind, mime or "", size, sha256)


def digest(upload: UploadedFile) -> str:
    """The file's SHA-256 (hex): computed as it arrived by the upload handlers
    (``hotline.common.uploads``), or read here for files made otherwise."""
    known = getattr(upload, "sha256", None)
    if known:
        return known
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


# ---------------------------------------------------------------------------
# stored first, linked later


@dataclass(frozen=True)
class Staged:
    """An upload checked and written to storage, waiting to be linked to an order by
    ``do_attach`` (which deletes its ``PendingUpload`` row in the linking transaction)."""

    name: str
    original_name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    pending_id: int


def stage(upload: UploadedFile, *, field: str = "file", now: datetime | None = None) -> Staged:
    """Check one upload (type sniffed, size, SHA-256) and write it to storage — the slow part
    of an attachment, done before any transaction that locks an order or its number.

    The ``PendingUpload`` row is written before the file, so a crash at any point leaves a
    row the orphan purge finds; call this outside a transaction so that row is committed."""
    now = now or clock.now()
    sniffed = check(upload, field)
    original = (getattr(upload, "name", "") or "file")[-200:]
    # the storage name comes from the model's upload_to, like any attachment
    holder = Attachment(original_name=original, uploaded_at=now)
    name = holder.file.field.generate_filename(holder, original)
    pending = PendingUpload.objects.create(name=name, created_at=now)
    try:
        upload.seek(0)
        saved = holder.file.storage.save(name, upload, max_length=200)
        durable(holder.file.storage, saved)
        if saved != name:
            PendingUpload.objects.filter(pk=pending.pk).update(name=saved)
    except BaseException:
        PendingUpload.objects.filter(pk=pending.pk).delete()
        raise
    return Staged(
        saved,
        original,
        sniffed.kind,
        sniffed.content_type,
        sniffed.size,
        sniffed.sha256,
        now,
        pending.pk,
    )


def durable(storage, name: str) -> None:
    """A file stored on the local disk is flushed (with its directory entry) before the
    order that links it commits: a power cut must not leave an order whose attachment was
    still only in memory.  Outside any lock, so the wait holds nobody else up.  A remote
    storage (S3) has the file when ``save`` returns."""
    if not isinstance(storage, FileSystemStorage):
        return
    path = storage.path(name)
    for target, flags in ((path, os.O_RDONLY), (os.path.dirname(path), os.O_RDONLY)):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def stage_all(uploads: Iterable[UploadedFile], *, field: str = "file") -> list[Staged]:
    """Stage several uploads; if one fails, the ones already stored are removed."""
    staged: list[Staged] = []
    uploads = list(uploads)
    try:
        for upload in uploads:
            staged.append(stage(upload, field=field))
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: Iterable[Staged]) -> None:
    """Remove staged files that were not linked (an action failed, or kept no files).  A
    linked file's ``PendingUpload`` row is gone, so it is left alone.  Best effort: what
    fails here is an orphan the periodic purge removes."""
    for s in staged:
        with contextlib.suppress(Exception):
            if PendingUpload.objects.filter(pk=s.pending_id).exists():
                Attachment.file.field.storage.delete(s.name)
                PendingUpload.objects.filter(pk=s.pending_id).delete()


def purge_orphans(*, now: datetime | None = None, older_than: timedelta = ORPHAN_AFTER) -> int:
    """Remove files stored but never linked, once they are older than ``older_than``
    (periodic task of the worker).  Returns how many were removed."""
    now = now or clock.now()
    storage = Attachment.file.field.storage
    removed = 0
    for pending in PendingUpload.objects.filter(created_at__lt=now - older_than)[:1000]:
        if Attachment.objects.filter(file=pending.name).exists():
            pass  # linked by a transaction that did not delete the row: not an orphan
        else:
            try:
                storage.delete(pending.name)
            except Exception as exc:  # pragma: no cover - storage unavailable: next run
                log.warning("orphan %s not removed: %s", pending.name, exc)
                continue
            removed += 1
        PendingUpload.objects.filter(pk=pending.pk).delete()
    if removed:
        log.info("removed %s orphaned upload(s)", removed)
    return removed


def check_image(upload: UploadedFile, field: str = "file") -> None:
    """Refuse an image with more pixels than allowed, whatever its file size.  Pillow reads
    the dimensions from the header without decoding; its decompression-bomb check (a
    warning past ``Image.MAX_IMAGE_PIXELS``, an error past twice that) is a refusal too, and
    a header Pillow cannot read is a broken image."""
    limit = settings.HOTLINE_MAX_IMAGE_PIXELS
    megapixels = f"{limit / 1_000_000:g} 百万像素"
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed({field: f"图片像素过多：不能超过 {megapixels}"}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationFailed({field: "图片文件已损坏或无法识别"}) from None
    finally:
        upload.seek(0)
    if width * height > limit:
        raise ValidationFailed({field: f"图片像素过多（{width}×{height}）：不能超过 {megapixels}"})


def check_batch(uploads: Sequence[UploadedFile], field: str = "attachments") -> None:
    """One public submission (portal, Open311, channel API): at most ``max_files`` files
    and ``max_total`` bytes together, checked before anything is stored."""
    bounds = settings.HOTLINE_PUBLIC_UPLOADS
    if len(uploads) > bounds["max_files"]:
        raise ValidationFailed(
            {field: f"一次最多上传 {bounds['max_files']} 个附件（收到 {len(uploads)} 个）"}
        )
    total = sum(u.size or 0 for u in uploads)
    if total > bounds["max_total"]:
        raise ValidationFailed(
            {
                field: f"附件总大小不能超过 {megabytes(bounds['max_total'])}（收到 {megabytes(total)}）"
            }
        )
