"""Deploy steps shared by ``hotline migrate`` and ``hotline run``.

``migrate`` is the one step that changes the schema.  Several app servers may run it at
the same moment during an upgrade: it holds a lock across machines (a PostgreSQL advisory
lock; a file lock beside a SQLite file), so they migrate one after the other and the later
ones find nothing to do.  Processes that only serve (``hotline run --role web|worker``)
never migrate: they refuse to start while ``pending_migrations()`` is not empty.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from hotline.common.locks import exclusive

LOCK = "hotline.migrate"


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.migration`` names not applied to the database yet, in the order they would run."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migrate(*, verbosity: int = 1, say: Callable[[str], None] = print) -> list[str]:
    """Apply every pending migration and load the holiday calendar's new years, holding the
    migrate lock.  Returns the migrations this call applied."""
    with exclusive(LOCK, wait=False) as held:
        if held:
            return _apply(verbosity)
    say("另一进程正在迁移数据库，等待其完成 …")
    with exclusive(LOCK, wait=True):
        return _apply(verbosity)


def _apply(verbosity: int) -> list[str]:
    pending = pending_migrations()
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("calendar_sync", verbosity=verbosity)
    return pending
