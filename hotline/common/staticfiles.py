"""Static files: compressed, named by their content, cached for a year.

``collectstatic`` writes each file under ``STATIC_ROOT`` twice more — with a hash of its
content in the name (``workbench.3f2a…c1.css``) and gzip/brotli-compressed — plus the
manifest that maps plain names to hashed ones.  Pages then link the hashed names, and
WhiteNoise serves a hashed file with ``Cache-Control: max-age=315360000, immutable``: a
browser keeps it until the content (and so the name) changes.

Where nothing was collected yet — the test suite, a checkout that has not run
``hotline run`` — a name missing from the manifest is linked plain and served from the
apps' static folders (``WHITENOISE_USE_FINDERS``) with a short max-age, instead of the
page failing.  ``hotline run`` (web and all) collects whenever the manifest is missing or
older than a static file of the installed package (``collect_if_stale``); the systemd unit
collects at every start (``deploy/systemd/hotline-web.service``).
"""

from __future__ import annotations

from pathlib import Path

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    """Django's reference patterns less ``sourceMappingURL``: the npm vendor files name
    source maps that are not shipped (only a browser's developer tools fetch them)."""
    out = []
    for glob, rules in patterns:
        kept = tuple(
            r for r in rules if "sourceMappingURL" not in (r[0] if isinstance(r, tuple) else r)
        )
        if kept:
            out.append((glob, kept))
    return tuple(out)


class Storage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: the plain name, served by the finders
            return name


def manifest_path() -> Path:
    from django.conf import settings

    return Path(settings.STATIC_ROOT) / "staticfiles.json"


def source_files() -> list[Path]:
    """Every file the static finders would collect."""
    from django.contrib.staticfiles import finders

    out: list[Path] = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            out.append(Path(storage.path(path)))
    return out


def is_stale() -> bool:
    manifest = manifest_path()
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in source_files())


def collect_if_stale(say=print) -> bool:
    """Run ``collectstatic`` when the manifest is missing or older than a source file;
    returns whether it ran."""
    if not is_stale():
        return False
    from django.core.management import call_command

    say("收集静态文件（压缩并按内容命名）…")
    call_command("collectstatic", interactive=False, verbosity=0)
    return True
