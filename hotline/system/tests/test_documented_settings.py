"""Every environment variable the documentation names can be set from the environment —
five were documented but read only from the settings module, which an installed wheel
cannot change."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import hotline

CHECKOUT = Path(hotline.__file__).resolve().parent.parent
NAME = re.compile(
    r"\bHOTLINE_[A-Z0-9_]*[A-Z0-9]\b"
)  # "HOTLINE_S3_*" names a family, not a variable


def _documented() -> set[str]:
    docs = [CHECKOUT / "README.md", *sorted((CHECKOUT / "docs").rglob("*.md"))]
    return {n for p in docs for n in NAME.findall(p.read_text(encoding="utf-8"))}


def _read_from_environment(name: str) -> bool:
    read = re.compile(
        r'(?:env\w*\(\s*|environ(?:\.get)?\(\s*|environ\[\s*|ENV\s*=\s*)"' + re.escape(name) + '"'
    )
    sources = [
        *(CHECKOUT / "hotline").rglob("*.py"),
        *(CHECKOUT / "benchmarks").rglob("*.py"),
        CHECKOUT / "conftest.py",
    ]
    return any(read.search(p.read_text(encoding="utf-8")) for p in sources)


def test_every_documented_variable_is_read_from_the_environment():
    names = _documented()
    assert {"HOTLINE_DATABASE_URL", "HOTLINE_ASSESSMENT_TIERS"} <= names
    assert [n for n in sorted(names) if not _read_from_environment(n)] == []


def _settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.HOTLINE_ASSESSMENT_TIERS, settings.HOTLINE_HOTSPOT_MAX_RECORDS,"
        " settings.HOTLINE_CHANNEL_MAX_FILES, settings.HOTLINE_CHANNEL_TRACK_PER_MINUTE,"
        " settings.HOTLINE_OPEN311_READS_PER_MINUTE]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hotline.settings_test", **env},
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_five_limits_follow_the_environment():
    done = _settings(
        HOTLINE_ASSESSMENT_TIERS="95,85,70",
        HOTLINE_HOTSPOT_MAX_RECORDS="5000",
        HOTLINE_CHANNEL_MAX_FILES="3",
        HOTLINE_CHANNEL_TRACK_PER_MINUTE="40",
        HOTLINE_OPEN311_READS_PER_MINUTE="60",
    )
    assert done.returncode == 0, done.stderr
    tiers, records, files, track, reads = json.loads(done.stdout)
    assert tiers == [[95.0, "excellent", "优秀"], [85.0, "good", "良好"], [70.0, "fair", "一般"]]
    assert (records, files, track, reads) == (5000, 3, 40, 60)
    bad = _settings(HOTLINE_ASSESSMENT_TIERS="60,80,90")
    assert bad.returncode != 0 and "HOTLINE_ASSESSMENT_TIERS" in bad.stderr
