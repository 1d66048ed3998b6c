"""One holder at a time, across processes (``hotline.common.locks``)."""

from __future__ import annotations

import pytest

from hotline.common.locks import exclusive


@pytest.mark.django_db(transaction=True)
def test_a_held_lock_makes_a_second_holder_skip_until_released():
    """Two holders in one process use separate sessions (PostgreSQL) or separate open files
    (SQLite), exactly as two processes would."""
    with exclusive("tests.lock", wait=False) as first:
        assert first
        with exclusive("tests.lock", wait=False) as second:
            assert not second
        with exclusive("tests.other", wait=False) as other:
            assert other
    with exclusive("tests.lock", wait=False) as again:
        assert again


@pytest.mark.django_db(transaction=True)
def test_the_rollup_turn_is_skipped_while_another_process_seals():
    from hotline.analytics import rollup

    with exclusive(rollup.LOCK, wait=False):
        assert rollup.tick() is False
    assert rollup.tick() is True
