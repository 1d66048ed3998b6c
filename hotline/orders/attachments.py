"""Attachment checks (§6.1.2): the kind and content type come from the file's bytes, never
from the client's claim; each kind has its own size limit (settings); an image may have at
most ``HOTLINE_MAX_IMAGE_PIXELS`` pixels and must pass Pillow's decompression-bomb check; a
public submission carries at most ``HOTLINE_PUBLIC_UPLOADS`` files and bytes
(``check_batch``).  Every refusal names the limit."""

from __future__ import annotations

import codecs
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from hotline.orders.errors import ValidationFailed
from hotline.rules.limits import megabytes

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
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Sniffed(kind, mime or "", size, digest.hexdigest())


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
