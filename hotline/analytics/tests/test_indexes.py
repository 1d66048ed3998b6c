"""After every migration the orders tables carry the analytics' dating indexes and none of
the single-column indexes that lead another index (orders/0011)."""

from __future__ import annotations

from importlib import import_module

from django.db import connection

ALL = import_module("hotline.analytics.migrations.0007_recreate_dating_indexes").ALL


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in found.items() if c["index"]}


def test_the_dating_indexes_exist_on_both_databases(db):
    for name, table, _ in ALL:
        assert name in _indexes(table), (name, table)


def test_the_indexes_that_led_another_are_gone(db):
    """state, domain, created_at and lead_unit of orders, action of events, unit of
    assignments: each leads an index of its table, which answers the same lookups."""
    import importlib

    dropped = importlib.import_module("hotline.orders.migrations.0011_i20_redundant_indexes")
    for name, table, column in dropped.DROPPED:
        if not table:
            continue  # a PostgreSQL-only "_like" twin, gone with its index
        indexes = _indexes(table)
        assert name not in indexes
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        assert any(c["index"] and c["columns"][:1] == [column] for c in found.values()), column
