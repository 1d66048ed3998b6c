"""``hotline run`` supervises its worker and roll-up children (issue 13): one that dies is
started again after a back-off that doubles up to a cap, logged, and never takes gunicorn
down; gunicorn itself ending ends the command.  Time is the ``now`` passed to ``step``."""

from __future__ import annotations

import logging
import sys

import pytest

from hotline.system.management.commands.run import (
    STABLE_SECONDS,
    Child,
    ChildFailed,
    Supervisor,
)

EXITS = [sys.executable, "-c", "raise SystemExit(3)"]


def dead(name: str, supervised: bool = True) -> Child:
    child = Child(name, EXITS, supervised=supervised).start()
    assert child.popen is not None
    child.popen.wait(timeout=30)
    return child


def test_a_dead_worker_is_restarted_after_a_doubling_capped_back_off_and_logged(caplog):
    child = dead("worker")
    boss = Supervisor([child], backoff_max=4)
    t = child.started_at + 1
    backoffs = []
    with caplog.at_level(logging.WARNING, logger="hotline.run"):
        for _ in range(5):
            boss.step(t)  # notices the death, schedules the restart
            assert child.restart_at is not None
            backoffs.append(child.backoff)
            boss.step(child.restart_at - 0.1)  # not yet
            assert child.restart_at is not None
            t = child.restart_at
            boss.step(t)  # restarted
            assert child.restart_at is None and child.popen is not None
            child.popen.wait(timeout=30)
            child.started_at = t
    assert backoffs == [1, 2, 4, 4, 4]
    assert child.restarts == 5
    assert "worker exited (code 3)" in caplog.text
    assert "restarting worker (restart 5)" in caplog.text


def test_a_child_that_ran_a_while_starts_again_after_the_shortest_back_off():
    child = dead("rollup")
    child.backoff = 32
    boss = Supervisor([child], backoff_max=60)
    boss.step(child.started_at + STABLE_SECONDS + 1)
    assert child.backoff == 1


def test_a_dead_worker_leaves_gunicorn_running_but_gunicorn_ending_ends_the_command():
    web = Child("web", [sys.executable, "-c", "import time; time.sleep(60)"], supervised=False)
    web.start()
    worker = dead("worker")
    boss = Supervisor([web, worker])
    try:
        boss.step(worker.started_at + 1)
        assert web.alive()
        assert worker.restart_at is not None
    finally:
        boss.stop()
    assert not web.alive()
    with pytest.raises(ChildFailed, match="web 进程意外退出"):
        Supervisor([dead("web", supervised=False)]).step(0)
