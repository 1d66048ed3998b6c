"""A retrained model travels through the database, so every server loads the active version
(issue 13: "a retrained classifier exists on one machine only").

``pack`` turns the model directory ``hotline model retrain`` wrote into opaque bytes — a tar
of its files, whatever they are (the model format is ``hotline.nlp``'s business, not
this module's) — stored on the ``ModelVersion`` row with their SHA-256.  ``local_dir`` gives
any server a directory to load: the one the row names when this machine has it intact,
otherwise a copy unpacked from the row under ``var/models/shared/`` (once per version; an
interrupted unpack never leaves a half directory, the unpack goes to a temporary folder
renamed into place).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings

from hotline.intelligence.models import ModelVersion


def pack(directory: str | Path) -> bytes:
    """The files of ``directory`` (not sub-directories' owners, times or modes) as a tar."""
    root = Path(directory)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            data = path.read_bytes()
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def attach(version: ModelVersion, directory: str | Path) -> None:
    """Put the model files of ``directory`` on ``version`` (not saved)."""
    blob = pack(directory)
    version.artifact = blob
    version.artifact_sha256 = digest(blob)


def shared_root() -> Path:
    return Path(settings.VAR_DIR) / "models" / "shared"


def local_dir(version: ModelVersion) -> Path | None:
    """A directory on this machine holding ``version``'s model files, or None when neither
    the trained directory nor a stored artefact is here (a row an admin made by hand).  The
    model loader checks the files against their own checksum either way."""
    trained = Path(version.path) if version.path else None
    if trained is not None and trained.is_dir():
        return trained  # the machine that trained it
    sha = version.artifact_sha256
    if not sha:
        return None
    target = shared_root() / f"{version.kind}-{version.version}-{sha[:16]}"
    if target.is_dir():
        return target
    blob = ModelVersion.objects.filter(pk=version.pk).values_list("artifact", flat=True).first()
    if blob is None or digest(bytes(blob)) != sha:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(bytes(blob)), mode="r") as tar:
            tar.extractall(scratch, filter="data")
        try:
            os.rename(scratch, target)
        except OSError:
            if not target.is_dir():  # pragma: no cover - a real failure, not a lost race
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
