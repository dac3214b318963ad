import threading

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_runs_outside_the_main_thread():
    """`credo serve` runs the worker in a thread; the stock command would die there on its signal handlers."""
    from credo.core.management.commands.serve import run_task_worker

    failures: list[BaseException] = []

    def target():
        try:
            run_task_worker(batch=True)
        except BaseException as exc:  # noqa: BLE001 -- reported to the test below
            failures.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert failures == []
