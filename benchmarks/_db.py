"""A fresh database for a Django-side benchmark (never the developer's own)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]


def ensure_pg(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            recreate_pg(url)


def recreate_pg(url: str) -> None:
    """Drop and create the PostgreSQL database named in ``url``."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unsafe database name {name!r}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def use_bench_database(database: str, sqlite_name: str, pg_url: str, *, keep: bool = False) -> Path:
    """Point hotline at ``var/bench/<sqlite_name>`` (SQLite) or ``pg_url`` (PostgreSQL),
    emptied first unless ``keep``; returns the bench folder (also the VAR_DIR)."""
    bench = REPO / "var" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    os.environ["HOTLINE_VAR_DIR"] = str(bench)
    if database == "sqlite":
        db = bench / sqlite_name
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["HOTLINE_DATABASE_URL"] = f"sqlite:///{db}"
    else:
        if not keep:
            recreate_pg(pg_url)
        os.environ["HOTLINE_DATABASE_URL"] = pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    return bench
